package reference

// Objects live in slices, in creation order, which is the order Describe answers in; these
// helpers are the one way to find, replace and drop them by ID.

// keyed is an object with an ID of its own.
type keyed interface{ key() string }

func (j *replicationJob) key() string { return j.JobId }
func (s *sourceServer) key() string   { return s.SourceId }
func (w *workgroup) key() string      { return w.WorkgroupId }
func (t *accessToken) key() string    { return t.AccessTokenId }
func (d *ebsDisk) key() string        { return d.DiskId }
func (g *replicaGroup) key() string   { return g.ReplicaGroupId }
func (p *replicaPair) key() string    { return p.ReplicaPairId }
func (d *replicaDrill) key() string   { return d.DrillId }

// find returns the object with the ID, or the zero value (nil) when there is none.
func find[T keyed](list []T, id string) T {
	for _, x := range list {
		if x.key() == id {
			return x
		}
	}
	var none T
	return none
}

// upsert replaces the object with n's ID, or appends n.
func upsert[T keyed](list []T, n T) []T {
	for i, x := range list {
		if x.key() == n.key() {
			list[i] = n
			return list
		}
	}
	return append(list, n)
}

// without drops the objects drop picks, in place.
func without[T any](list []T, drop func(T) bool) []T {
	out := list[:0]
	for _, x := range list {
		if !drop(x) {
			out = append(out, x)
		}
	}
	clear(list[len(out):])
	return out
}
