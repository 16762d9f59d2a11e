package framework

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
)

// Objects the API cannot create (source servers, disks) are shared by every spec of every
// process of a run, and by other runs against the same account. A spec leases the ones it
// uses: an exclusive lock file per object under the temporary directory, so that a second
// process, or a second run, takes another one, and a killed process frees its leases.

// Leases hands out a target's fixture objects.
type Leases struct {
	dir  string
	mu   sync.Mutex
	held map[string]*os.File
}

func newLeases(endpoint, account string) *Leases {
	sum := sha256.Sum256([]byte(endpoint + "\x00" + account))
	return &Leases{dir: filepath.Join(os.TempDir(), "smcct-leases-"+hex.EncodeToString(sum[:8])), held: map[string]*os.File{}}
}

// Take leases the first of ids nobody holds; ok is false when all are taken.
func (l *Leases) Take(ids ...string) (string, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := os.MkdirAll(l.dir, 0o700); err != nil {
		return "", false
	}
	for _, id := range ids {
		if _, mine := l.held[id]; mine {
			continue
		}
		f, err := os.OpenFile(filepath.Join(l.dir, id+".lock"), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			continue
		}
		if !tryLock(f) {
			f.Close()
			continue
		}
		l.held[id] = f
		return id, true
	}
	return "", false
}

// Release gives a lease back.
func (l *Leases) Release(id string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if f, ok := l.held[id]; ok {
		unlock(f)
		f.Close()
		delete(l.held, id)
	}
}

// DiskPair is a source disk and a destination disk a replica pair can join: in two zones,
// the destination at least as large and not attached (an attached secondary cannot sync).
type DiskPair struct {
	Src, Dst Disk
}

// ID names the pair for leases and messages.
func (d DiskPair) ID() string { return d.Src.ID + "+" + d.Dst.ID }

// DiskPairs matches a profile's disks into pairs: first between the profile's replication
// zones, then between any two zones; smallest first within each, so that full syncs are
// short; each disk used once. srcStatus, when not empty, is the source disk's Status.
func DiskPairs(disks []Disk, srcStatus string, prefer Replication) []DiskPair {
	sorted := append([]Disk(nil), disks...)
	sort.SliceStable(sorted, func(i, j int) bool {
		if sorted[i].Size != sorted[j].Size {
			return sorted[i].Size < sorted[j].Size
		}
		return sorted[i].ID < sorted[j].ID
	})
	used := map[string]bool{}
	var out []DiskPair
	match := func(preferred bool) {
		for _, src := range sorted {
			if used[src.ID] || (srcStatus != "" && src.Status != srcStatus) {
				continue
			}
			if preferred && src.Zone != prefer.Source.Zone {
				continue
			}
			for _, dst := range sorted {
				if used[dst.ID] || dst.ID == src.ID || dst.Status != "Available" || dst.Size < src.Size ||
					(dst.Region == src.Region && dst.Zone == src.Zone) || (preferred && dst.Zone != prefer.Destination.Zone) {
					continue
				}
				used[src.ID], used[dst.ID] = true, true
				out = append(out, DiskPair{Src: src, Dst: dst})
				break
			}
		}
	}
	if prefer.Source.Zone != "" && prefer.Destination.Zone != "" {
		match(true)
	}
	match(false)
	return out
}

// SameZones reports whether two disk pairs replicate between the same zones, as a group and
// its member must.
func (d DiskPair) SameZones(o DiskPair) bool {
	return d.Src.Zone == o.Src.Zone && d.Dst.Zone == o.Dst.Zone && d.Src.Region == o.Src.Region && d.Dst.Region == o.Dst.Region
}

func (d DiskPair) String() string {
	return fmt.Sprintf("%s (%s, %d GiB) -> %s (%s)", d.Src.ID, d.Src.Zone, d.Src.Size, d.Dst.ID, d.Dst.Zone)
}
