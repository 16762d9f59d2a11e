package spec

import (
	"fmt"
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// vals builds a request from name/value pairs on top of base (a valid request).
func vals(base url.Values, pairs ...string) url.Values {
	v := url.Values{}
	for k, vs := range base {
		v[k] = append([]string(nil), vs...)
	}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] == "<drop>" {
			v.Del(pairs[i])
			continue
		}
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

// brief renders violations as "Param rule Code Status", warnings with a leading "~".
func brief(vs []Violation) []string {
	out := []string{}
	for _, v := range vs {
		s := fmt.Sprintf("%s %s %s %d", v.Param, v.Rule, v.Code, v.Status)
		if v.Warning {
			s = "~" + s
		}
		out = append(out, s)
	}
	return out
}

func TestValidateRules(t *testing.T) {
	p := loadRules(t)
	create, _ := p.Action("CreateThing")
	base := url.Values{"Name": {"ab"}}
	cases := []struct {
		reason string
		params url.Values
		want   []string
	}{
		{"the minimal request passes", base, nil},
		// minLength / maxLength / pattern / not
		{"minLength boundary passes", vals(nil, "Name", "ab"), nil},
		{"below minLength", vals(nil, "Name", "a"), []string{"Name minLength InvalidName 400"}},
		{"maxLength boundary passes", vals(nil, "Name", "abcdefgh"), nil},
		{"above maxLength", vals(nil, "Name", "abcdefghi"), []string{"Name maxLength InvalidName 400"}},
		{"pattern: must start with a letter", vals(nil, "Name", "1abc"), []string{"Name pattern InvalidName 400"}},
		{"not-pattern: may not start with http://", vals(nil, "Name", "http://x"), []string{"Name not InvalidName 400"}},
		{"not-pattern: https too", vals(nil, "Name", "https://"), []string{"Name not InvalidName 400"}},
		{"not-pattern boundary: httpx passes", vals(nil, "Name", "httpx"), nil},
		// required at top level
		{"required parameter missing", url.Values{}, []string{"Name required MissingName 400"}},
		// minimum / maximum with and without an override
		{"minimum boundary passes", vals(base, "Size", "20"), nil},
		{"below minimum answers the override code and status", vals(base, "Size", "19"), []string{"Size minimum InvalidSize.TooSmall 403"}},
		{"maximum boundary passes", vals(base, "Size", "500"), nil},
		{"above maximum answers the family", vals(base, "Size", "501"), []string{"Size maximum InvalidSize 400"}},
		{"number maximum boundary passes", vals(base, "Ratio", "1"), nil},
		{"number above maximum", vals(base, "Ratio", "1.0001"), []string{"Ratio maximum InvalidRatio 400"}},
		// enum
		{"enum member passes", vals(base, "Mode", "Slow"), nil},
		{"enum is case sensitive", vals(base, "Mode", "slow"), []string{"Mode enum InvalidMode 400"}},
		{"integer enum member passes", vals(base, "NetMode", "0"), nil},
		{"integer enum non-member", vals(base, "NetMode", "1"), []string{"NetMode enum InvalidNetMode 400"}},
		// type
		{"integer type", vals(base, "Size", "2x"), []string{"Size type InvalidSize 400"}},
		{"integer type: no fraction", vals(base, "Size", "20.5"), []string{"Size type InvalidSize 400"}},
		{"boolean type", vals(base, "RunOnce", "yes"), []string{"RunOnce type InvalidRunOnce 400"}},
		{"boolean true passes", vals(base, "RunOnce", "true"), nil},
		// format
		{"date-time passes", vals(base, "StartAt", "2026-01-02T03:04:05Z"), nil},
		{"date-time format", vals(base, "StartAt", "yesterday"), []string{"StartAt format InvalidStartAt 400"}},
		// maxItems with override
		{"maxItems boundary passes", vals(base, "Tag.1.Key", "a", "Tag.2.Key", "b", "Tag.3.Key", "c"), nil},
		{"beyond maxItems answers the override", vals(base, "Tag.1.Key", "a", "Tag.2.Key", "b", "Tag.3.Key", "c", "Tag.4.Key", "d"), []string{"Tag maxItems NumberExceed.Tags 400"}},
		// required inside list items, nested list fields
		{"required inside a list item", vals(base, "Tag.1.Key", "a", "Tag.2.Value", "v"), []string{"Tag.2.Key required MissingTag.2.Key 400"}},
		{"a rule inside a list item names the 1-based index", vals(base, "Tag.1.Key", "a", "Tag.2.Key", "toolong"), []string{"Tag.2.Key maxLength InvalidTag.2.Key 400"}},
		{"nested list field", vals(base, "DataDisk.1.Size", "20", "DataDisk.2.Size", "20", "DataDisk.2.Part.1.SizeBytes", "0"), []string{"DataDisk.2.Part.1.SizeBytes minimum InvalidDataDisk.2.Part.1.SizeBytes 400"}},
		{"nested list field type", vals(base, "DataDisk.1.Size", "20", "DataDisk.1.Part.1.Block", "1"), []string{"DataDisk.1.Part.1.Block type InvalidDataDisk.1.Part.1.Block 400"}},
		{"a bad field does not also count as missing", vals(base, "DataDisk.1.Size", "big"), []string{"DataDisk.1.Size type InvalidDataDisk.1.Size 400"}},
		{"item indexes sort numerically", vals(base, "DataDisk.1.Size", "1", "DataDisk.2.Size", "20", "DataDisk.3.Size", "20", "DataDisk.4.Size", "1"),
			[]string{"DataDisk.1.Size minimum InvalidDataDisk.1.Size 400", "DataDisk.4.Size minimum InvalidDataDisk.4.Size 400"}},
		// flat objects
		{"flat object passes", vals(base, "Disks.System.Size", "20", "Disks.System.Part.1.Path", "/boot"), nil},
		{"flat object field", vals(base, "Disks.System.Size", "19"), []string{"Disks.System.Size minimum InvalidDisks.System.Size 400"}},
		{"list inside a flat object", vals(base, "Disks.System.Part.1.Path", "/", "Disks.System.Part.2.Path", "boot"), []string{"Disks.System.Part.2.Path pattern InvalidDisks.System.Part.2.Path 400"}},
		// json style
		{"json value passes", vals(base, "Schedule", `{"At":"2026-01-02T03:04:05Z","Every":2}`), nil},
		{"json value breaks a rule inside: the wire name is the parameter", vals(base, "Schedule", `{"At":"2026-01-02T03:04:05Z","Every":0}`), []string{"Schedule minimum InvalidSchedule 400"}},
		{"json value misses a field", vals(base, "Schedule", `{}`), []string{"Schedule required InvalidSchedule 400"}},
		{"json text that is not JSON", vals(base, "Schedule", `{`), []string{"Schedule type InvalidSchedule 400"}},
		// x-acs-error-on with a %s template
		{"maxLength override fills the template", vals(base, "Description", "01234567890"), []string{"Description maxLength InvalidDescription.Malformed 400"}},
		// x-acs-requires
		{"requires: NetMode 2 needs VSwitchId", vals(base, "NetMode", "2"), []string{"VSwitchId requires MissingVSwitchId 400"}},
		{"requires satisfied", vals(base, "NetMode", "2", "VSwitchId", "vsw-1"), nil},
		{"requires: condition not met", vals(base, "NetMode", "0"), nil},
		{"requires with its own code, every missing parameter", vals(base, "RunOnce", "false"), []string{"Frequency requires Frequency.Needed 400", "Keep requires Frequency.Needed 400"}},
		// codec problems
		{"a list index gap", vals(base, "Tag.1.Key", "a", "Tag.3.Key", "c"), []string{"Tag.2 index InvalidTag.2 400"}},
		{"a repeated parameter", vals(base, "Size", "20", "Size", "30"), []string{"Size repeated InvalidSize 400"}},
		// unknown and common parameters
		{"unknown parameters are warnings after errors", vals(nil, "Name", "a", "Colour", "red", "Tag.1.Hue", "x", "Tag.1.Key", "k"),
			[]string{"Name minLength InvalidName 400", "~Colour unknown InvalidParameter.Unknown 400", "~Tag.1.Hue unknown InvalidParameter.Unknown 400"}},
		{"common parameters are ignored", vals(base, "Action", "CreateThing", "Version", "2000-01-01", "RegionId", "cn-hangzhou", "Signature", "x", "Timestamp", "t"), nil},
	}
	for _, c := range cases {
		got := brief(create.Validate(c.params))
		if c.want == nil {
			c.want = []string{}
		}
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.reason, got, c.want)
		}
	}
}

func TestValidateDeclaredCommonParameter(t *testing.T) {
	p := loadRules(t)
	describe, _ := p.Action("DescribeThings")
	cases := []struct {
		reason string
		params url.Values
		want   []string
	}{
		{"a declared RegionId is checked", url.Values{"Fields": {"x"}}, []string{"RegionId required MissingRegionId 400"}},
		{"a declared RegionId is kept", url.Values{"RegionId": {"r"}, "Fields": {"x"}}, []string{}},
		{"a schema default drives requires", url.Values{"RegionId": {"r"}}, []string{"Fields requires MissingFields 400"}},
		{"an explicit value overrides the default", url.Values{"RegionId": {"r"}, "Verbose": {"false"}}, []string{}},
		{"scalar list pattern names the item", url.Values{"RegionId": {"r"}, "Fields": {"x"}, "ThingId.1": {"t-1"}, "ThingId.2": {"x"}}, []string{"ThingId.2 pattern InvalidThingId.2 400"}},
		{"scalar list beyond maxItems", url.Values{"RegionId": {"r"}, "Fields": {"x"}, "ThingId.1": {"t-1"}, "ThingId.2": {"t-2"}, "ThingId.3": {"t-3"}}, []string{"ThingId maxItems InvalidThingId 400"}},
	}
	for _, c := range cases {
		if got := brief(describe.Validate(c.params)); !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %q\nwant %q", c.reason, got, c.want)
		}
	}
}

func TestDecodeInput(t *testing.T) {
	p := loadRules(t)
	create, _ := p.Action("CreateThing")
	params := url.Values{"Name": {"ab"}, "Size": {"40"}, "RunOnce": {"true"}, "DataDisk.1.Size": {"20"}, "Action": {"CreateThing"}}
	before := fmt.Sprint(params)
	in, vs := create.Decode(params)
	if len(vs) != 0 {
		t.Fatalf("violations %v", vs)
	}
	want := Input{"Name": "ab", "Size": int64(40), "RunOnce": true, "DataDisk": []any{map[string]any{"Size": int64(20)}}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("input %#v", in)
	}
	if fmt.Sprint(params) != before {
		t.Errorf("Decode modified its parameters")
	}
	describe, _ := p.Action("DescribeThings")
	in, _ = describe.Decode(url.Values{"RegionId": {"r"}, "Fields": {"x"}})
	if _, filled := in["Verbose"]; filled {
		t.Errorf("schema defaults must not be filled in: %#v", in)
	}
}

func TestViolationMessages(t *testing.T) {
	p := loadRules(t)
	create, _ := p.Action("CreateThing")
	cases := []struct {
		reason string
		params url.Values
		want   string
	}{
		{"the family puts the wire name in the message", url.Values{}, "Name is mandatory for this action."},
		{"an override fills %s with the wire name", url.Values{"Name": {"ab"}, "Description": {"01234567890"}}, "The parameter Description is malformed."},
		{"an override without a hole keeps its text", url.Values{"Name": {"ab"}, "Size": {"1"}}, "Size is below the floor."},
		{"a requires override fills %s with the missing name", url.Values{"Name": {"ab"}, "RunOnce": {"false"}, "Keep": {"1"}}, "Frequency is needed for a repeating thing."},
	}
	for _, c := range cases {
		v, ok := FirstError(create.Validate(c.params))
		if !ok || v.Message != c.want {
			t.Errorf("%s: got %q (%v)", c.reason, v.Message, ok)
		}
		if v.Detail == "" {
			t.Errorf("%s: no detail", c.reason)
		}
	}
}

func TestTooLargeRequest(t *testing.T) {
	p := loadRules(t)
	create, _ := p.Action("CreateThing")
	params := url.Values{}
	for i := 0; i < 1001; i++ {
		params.Set(fmt.Sprintf("X%d", i), "v")
	}
	vs := create.Validate(params)
	if len(vs) != 1 || vs[0].Code != "InvalidParameter.TooLarge" || !strings.Contains(vs[0].Message, "1001 parameters") {
		t.Errorf("got %v", vs)
	}
}

// TestEmptyValuesIgnored: x-acs-ignore-empty drops optional scalars sent empty before any
// rule applies; required parameters, list fields and other actions still judge "".
func TestEmptyValuesIgnored(t *testing.T) {
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		action string
		params url.Values
		input  map[string]any
		fails  string
		why    string
	}{
		{"DescribeReplicationJobs", url.Values{"Status": {""}, "PageSize": {""}, "JobType": {""}, "Name": {""}}, map[string]any{}, "", "the page: parameters without values are not used"},
		{"DescribeReplicationJobs", url.Values{"Status": {""}, "PageSize": {"5"}}, map[string]any{"PageSize": int64(5)}, "", "only the empty one is left out"},
		{"DescribeSourceServers", url.Values{"State": {""}}, map[string]any{}, "", "the same rule on the other SMC reads"},
		{"ListAccessTokens", url.Values{"Status": {""}}, map[string]any{}, "", "the same rule on the other SMC reads"},
		{"ListTagResources", url.Values{"ResourceType": {""}}, nil, "ResourceType", "a required parameter is judged as sent"},
		{"CreateReplicationJob", url.Values{"RegionId": {"cn-hangzhou"}, "SourceId": {"s-1"}, "NetMode": {""}}, nil, "NetMode", "a write action judges every value sent"},
		{"DescribeDiskReplicaGroups", url.Values{"RegionId": {"cn-hangzhou"}, "Site": {""}}, nil, "Site", "no EBS page says empty values are ignored"},
	}
	for _, tc := range cases {
		a, ok := c.Lookup(versionOf(t, c, tc.action), tc.action)
		if !ok {
			t.Fatalf("no action %s", tc.action)
		}
		in, vs := a.Decode(tc.params)
		first, failed := FirstError(vs)
		switch {
		case tc.fails == "" && failed:
			t.Errorf("%s: %s: refused %v", tc.action, tc.why, first)
		case tc.fails != "" && (!failed || first.Param != tc.fails):
			t.Errorf("%s: %s: got %v, want a violation on %s", tc.action, tc.why, vs, tc.fails)
		case tc.input != nil && !reflect.DeepEqual(map[string]any(in), tc.input):
			t.Errorf("%s: %s: decoded %v, want %v", tc.action, tc.why, in, tc.input)
		}
	}
}

func versionOf(t *testing.T, c *Catalog, action string) string {
	t.Helper()
	for _, p := range c.Products() {
		if _, ok := p.Action(action); ok {
			return p.Version
		}
	}
	t.Fatalf("no product has %s", action)
	return ""
}
