package reference

import (
	"sort"
	"strconv"
)

// maxTagsPerResource is the documented limit of tags on one SMC resource.
const maxTagsPerResource = 20

type smcTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// smcTags is the wrapped tag list of Describe* responses ({"Tag": [...]}), in the order
// the keys were first added.
type smcTags struct {
	Tag []smcTag `json:"Tag"`
}

func (t smcTags) filled() smcTags {
	if t.Tag == nil {
		t.Tag = []smcTag{}
	}
	return t
}

func (t smcTags) clone() smcTags { return smcTags{Tag: append([]smcTag{}, t.Tag...)} }

func (t smcTags) value(key string) (string, bool) {
	for _, tag := range t.Tag {
		if tag.Key == key {
			return tag.Value, true
		}
	}
	return "", false
}

// set adds or overwrites tags; a key given twice keeps its last value.
func (t *smcTags) set(tags []smcTag) {
	for _, n := range tags {
		replaced := false
		for i := range t.Tag {
			if t.Tag[i].Key == n.Key {
				t.Tag[i].Value, replaced = n.Value, true
			}
		}
		if !replaced {
			t.Tag = append(t.Tag, n)
		}
	}
}

// countAfter is how many distinct keys the list would hold after set(tags).
func (t smcTags) countAfter(tags []smcTag) int {
	keys := map[string]bool{}
	for _, tag := range t.Tag {
		keys[tag.Key] = true
	}
	for _, tag := range tags {
		keys[tag.Key] = true
	}
	return len(keys)
}

func (t *smcTags) remove(keys []string) {
	t.Tag = without(t.Tag, func(tag smcTag) bool { return contains(keys, tag.Key) })
}

// matches applies a Tag.N filter: every given key must be present, with the given value
// when one is given.
func (t smcTags) matches(filter []map[string]any) bool {
	for _, f := range filter {
		key, _ := f["Key"].(string)
		if key == "" {
			continue
		}
		v, ok := t.value(key)
		if !ok {
			return false
		}
		if want, given := f["Value"].(string); given && want != v {
			return false
		}
	}
	return true
}

// tagsParam reads Tag.N as tags, skipping entries without a key.
func tagsParam(c *Ctx) []smcTag {
	var out []smcTag
	for _, m := range c.Objs("Tag") {
		k, _ := m["Key"].(string)
		v, _ := m["Value"].(string)
		if k != "" {
			out = append(out, smcTag{Key: k, Value: v})
		}
	}
	return out
}

// taggable returns the tag list of a resource of a tag-API ResourceType.
func (s *smcState) taggable(resourceType, id string) (*smcTags, bool) {
	switch resourceType {
	case "sourceserver":
		if src := s.source(id); src != nil {
			return &src.Tags, true
		}
	case "replicationjob":
		if j := s.job(id); j != nil {
			return &j.Tags, true
		}
	}
	return nil, false
}

// resolveResources maps ResourceId.N to tag lists, answering the documented codes for
// repeated and unknown IDs (another account's IDs are unknown here).
func resolveResources(c *Ctx) ([]*smcTags, []string, error) {
	ids := c.Strs("ResourceId")
	seen := map[string]bool{}
	out := make([]*smcTags, 0, len(ids))
	for _, id := range ids {
		if seen[id] {
			return nil, nil, c.Err("Duplicate.ResourceId")
		}
		seen[id] = true
		tags, ok := c.Account.SMC.taggable(c.Str("ResourceType"), id)
		if !ok {
			return nil, nil, c.Err("InvalidResourceId.NotFound")
		}
		out = append(out, tags)
	}
	return out, ids, nil
}

func tagResources(c *Ctx) (any, error) {
	lists, _, err := resolveResources(c)
	if err != nil {
		return nil, err
	}
	tags := tagsParam(c)
	for _, l := range lists {
		if l.countAfter(tags) > maxTagsPerResource {
			return nil, c.Err("NumberExceed.Tags")
		}
	}
	for _, l := range lists {
		l.set(tags)
	}
	return struct{}{}, nil
}

func untagResources(c *Ctx) (any, error) {
	lists, _, err := resolveResources(c)
	if err != nil {
		return nil, err
	}
	all, keys := c.Bool("All", false), c.Strs("TagKey")
	for _, l := range lists {
		if all {
			l.Tag = []smcTag{}
			continue
		}
		l.remove(keys)
	}
	return struct{}{}, nil
}

type tagBinding struct {
	ResourceType string `json:"ResourceType"`
	ResourceId   string `json:"ResourceId"`
	TagKey       string `json:"TagKey"`
	TagValue     string `json:"TagValue"`
}

// listTagResources lists tag bindings of one resource type, narrowed by ResourceId.N and
// Tag.N (a resource qualifies when it carries every given tag), in resource creation order
// then tag order. NextToken is the offset of the next binding.
func listTagResources(c *Ctx) (any, error) {
	rtype := c.Str("ResourceType")
	ids := c.Strs("ResourceId")
	if len(ids) > 0 {
		if _, _, err := resolveResources(c); err != nil {
			return nil, err
		}
	}
	var all []tagBinding
	for _, r := range c.Account.SMC.tagged(rtype) {
		if (len(ids) > 0 && !contains(ids, r.id)) || !r.tags.matches(c.Objs("Tag")) {
			continue
		}
		for _, t := range r.tags.Tag {
			all = append(all, tagBinding{ResourceType: rtype, ResourceId: r.id, TagKey: t.Key, TagValue: t.Value})
		}
	}
	start := 0
	if tok := c.Str("NextToken"); tok != "" {
		n, err := strconv.Atoi(tok)
		if err != nil || n < 0 || n > len(all) {
			return nil, invalidParam(c, "NextToken")
		}
		start = n
	}
	end := min(start+c.Action.List.FixedPage(), len(all))
	body := map[string]any{"TagResources": map[string]any{"TagResource": append([]tagBinding{}, all[start:end]...)}}
	if end < len(all) {
		body["NextToken"] = strconv.Itoa(end)
	}
	return body, nil
}

type taggedResource struct {
	id   string
	tags smcTags
}

func (s *smcState) tagged(resourceType string) []taggedResource {
	var out []taggedResource
	switch resourceType {
	case "sourceserver":
		for _, src := range s.Sources {
			out = append(out, taggedResource{src.SourceId, src.Tags})
		}
	case "replicationjob":
		for _, j := range s.Jobs {
			out = append(out, taggedResource{j.JobId, j.Tags})
		}
	}
	return out
}

// sortedKeys is for deterministic iteration over small maps.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
