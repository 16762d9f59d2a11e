package spec

import (
	"errors"
	"strings"
	"testing"
)

func TestCheckResponse(t *testing.T) {
	p := loadRules(t)
	create, _ := p.Action("CreateThing")
	describe, _ := p.Action("DescribeThings")
	cases := []struct {
		reason string
		action *Action
		status int
		body   string
		want   []string // substrings of the problems; none means the response conforms
	}{
		{"a conforming success", create, 200, `{"RequestId":"R","ThingId":"t-9"}`, nil},
		{"extra fields are allowed in a success", create, 200, `{"RequestId":"R","ThingId":"t-9","New":1}`, nil},
		{"a missing field", create, 200, `{"RequestId":"R"}`, []string{`/ThingId: property "ThingId" is missing`}},
		{"a pattern inside the body", create, 200, `{"RequestId":"R","ThingId":"x"}`, []string{"/ThingId: string doesn't match"}},
		{"every problem is listed with its path", describe, 200, `{"RequestId":1,"TotalCount":"2","Things":{"Thing":[{"CreatedAt":"now"}]}}`,
			[]string{"/RequestId:", "/TotalCount:", "/Things/Thing/0/ThingId:", "/Things/Thing/0/CreatedAt:"}},
		{"a body that is not JSON", create, 200, `<xml/>`, []string{"not JSON"}},
		{"trailing data", create, 200, `{"RequestId":"R","ThingId":"t-1"} {}`, []string{"after the JSON value"}},
		{"a documented action error", create, 403, `{"RequestId":"R","Code":"InvalidSize.TooSmall","Message":"m"}`, nil},
		{"a documented code with the wrong status", create, 400, `{"RequestId":"R","Code":"InvalidSize.TooSmall","Message":"m"}`, []string{"documented with status [403], got 400"}},
		{"a gateway error", create, 404, `{"RequestId":"R","Code":"InvalidAccessKeyId.NotFound","Message":"m"}`, nil},
		{"a parameter family code", create, 400, `{"RequestId":"R","Code":"MissingName","Message":"m","HostId":"h"}`, nil},
		{"a family code for a nested wire name", create, 400, `{"RequestId":"R","Code":"InvalidDataDisk.2.Size","Message":"m"}`, nil},
		{"a family code for a common parameter", create, 400, `{"RequestId":"R","Code":"InvalidRegionId","Message":"m"}`, nil},
		{"a family code for no parameter of the action", create, 400, `{"RequestId":"R","Code":"InvalidColour","Message":"m"}`, []string{"not documented"}},
		{"the unknown family code", create, 400, `{"RequestId":"R","Code":"InvalidParameter.Unknown","Message":"m"}`, nil},
		{"a bare family prefix is no parameter code", create, 400, `{"RequestId":"R","Code":"Missing","Message":"m"}`, []string{"not documented"}},
		{"an undocumented code", create, 400, `{"RequestId":"R","Code":"Nope","Message":"m"}`, []string{"code Nope is not documented"}},
		{"the envelope needs RequestId and Message", create, 500, `{"Code":"InternalError"}`, []string{`"RequestId" is missing`, `"Message" is missing`}},
		{"a non-200 success status", create, 204, ``, []string{"status 204"}},
		{"a redirect", create, 302, `{}`, []string{"status 302"}},
	}
	for _, c := range cases {
		err := c.action.CheckResponse(c.status, []byte(c.body))
		if len(c.want) == 0 {
			if err != nil {
				t.Errorf("%s: %v", c.reason, err)
			}
			continue
		}
		var re *ResponseError
		if !errors.As(err, &re) {
			t.Errorf("%s: want a *ResponseError, got %v", c.reason, err)
			continue
		}
		if len(re.Problems) != len(c.want) {
			t.Errorf("%s: %d problems, want %d: %q", c.reason, len(re.Problems), len(c.want), re.Problems)
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %q lacks %q", c.reason, err, w)
			}
		}
	}
}
