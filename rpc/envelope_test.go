package rpc

import (
	"encoding/json"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

type part struct {
	Device string
	Block  bool
}

func TestResultBody(t *testing.T) {
	cases := []struct {
		reason string
		format Format
		value  any
		want   string
	}{
		{"nil gives RequestId alone", JSON, nil, `{"RequestId":"R"}`},
		{"RequestId goes first and field order is kept", JSON, struct{ B, A string }{"b", "a&<"}, `{"RequestId":"R","B":"b","A":"a&<"}`},
		{"empty object", JSON, map[string]any{}, `{"RequestId":"R"}`},
		{"XML root is ActionResponse", XML, nil, `<?xml version='1.0' encoding='UTF-8'?><DoResponse><RequestId>R</RequestId></DoResponse>`},
		{"SMC wrapped list repeats the inner element", XML, map[string]any{"Jobs": map[string]any{"Job": []any{map[string]any{"Id": "j-1"}, map[string]any{"Id": "j-2"}}}},
			`<?xml version='1.0' encoding='UTF-8'?><DoResponse><RequestId>R</RequestId><Jobs><Job><Id>j-1</Id></Job><Job><Id>j-2</Id></Job></Jobs></DoResponse>`},
		{"EBS flat array repeats its own key; empty array renders nothing", XML, struct {
			Groups []part
			None   []int
			N      float64
			Nil    any
		}{[]part{{"a", true}, {"b<", false}}, []int{}, 1.5, nil},
			`<?xml version='1.0' encoding='UTF-8'?><DoResponse><RequestId>R</RequestId><Groups><Device>a</Device><Block>true</Block></Groups><Groups><Device>b&lt;</Device><Block>false</Block></Groups><N>1.5</N><Nil></Nil></DoResponse>`},
	}
	for _, tc := range cases {
		got, err := ResultBody(tc.format, "Do", "R", tc.value)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s:\n got %s (%v)\nwant %s", tc.reason, got, err, tc.want)
		}
	}
}

func TestResultBodyRefuses(t *testing.T) {
	cases := []struct {
		reason string
		format Format
		action string
		value  any
	}{
		{"a list is not a result object", JSON, "Do", []int{1}},
		{"a string is not a result object", JSON, "Do", "x"},
		{"unmarshalable value", JSON, "Do", map[string]any{"f": func() {}}},
		{"key that is no XML name", XML, "Do", map[string]any{"1x": 1}},
		{"key with a namespace colon", XML, "Do", map[string]any{"a:b": 1}},
		{"action that is no XML name", XML, "<Do>", nil},
	}
	for _, tc := range cases {
		if _, err := ResultBody(tc.format, tc.action, "R", tc.value); err == nil {
			t.Errorf("%s: no error", tc.reason)
		}
	}
}

var upperUUID = regexp.MustCompile(`^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$`)

func TestWriteResult(t *testing.T) {
	for _, f := range []Format{JSON, XML} {
		rec := httptest.NewRecorder()
		id := NewRequestID()
		if err := WriteResult(rec, f, "Do", id, map[string]int{"N": 1}); err != nil {
			t.Fatal(err)
		}
		want := map[Format]string{JSON: ContentTypeJSON, XML: ContentTypeXML}[f]
		if rec.Code != 200 || rec.Header().Get("Content-Type") != want || rec.Header().Get(HeaderRequestID) != id || !upperUUID.MatchString(id) {
			t.Errorf("%s: %d %v", f, rec.Code, rec.Header())
		}
	}
	if err := WriteResult(httptest.NewRecorder(), JSON, "Do", "R", 3); err == nil {
		t.Error("a non-object result must be refused before anything is written")
	}
}

func TestWriteError(t *testing.T) {
	e := &Error{Status: 404, Code: "InvalidJobId.NotFound", Message: "The specified JobId does not exist."}
	rec := httptest.NewRecorder()
	WriteError(rec, JSON, "smc.aliyuncs.com", e)
	var got Error
	if err := json.Unmarshal(rec.Body.Bytes(), &got); err != nil {
		t.Fatal(err)
	}
	if rec.Code != 404 || rec.Header().Get("Content-Type") != ContentTypeJSON || got.Code != e.Code || got.HostID != "smc.aliyuncs.com" ||
		!upperUUID.MatchString(got.RequestID) || got.Message != e.Message ||
		got.Recommend != "https://api.aliyun.com/troubleshoot?q=InvalidJobId.NotFound&product=Smc&requestId="+got.RequestID {
		t.Errorf("JSON error: %d %s", rec.Code, rec.Body)
	}
	if e.RequestID != "" {
		t.Error("WriteError changed the caller's error")
	}

	rec = httptest.NewRecorder()
	WriteError(rec, XML, "ebs.aliyuncs.com", &Error{Status: 403, Code: "OperationDenied.InvalidStatus", Message: "a < b", RequestID: "R", Recommend: "x]]>y"})
	want := "<?xml version='1.0' encoding='UTF-8'?><Error><RequestId>R</RequestId><HostId>ebs.aliyuncs.com</HostId><Code>OperationDenied.InvalidStatus</Code><Message>a &lt; b</Message><Recommend><![CDATA[x]]]]><![CDATA[>y]]></Recommend></Error>"
	if rec.Code != 403 || rec.Header().Get("Content-Type") != ContentTypeXML || rec.Body.String() != want {
		t.Errorf("XML error: %d %q", rec.Code, rec.Body)
	}

	for _, status := range []int{0, 200, 302, 600} {
		rec = httptest.NewRecorder()
		WriteError(rec, JSON, "", &Error{Status: status, Code: "X"})
		if rec.Code != 500 {
			t.Errorf("status %d written as %d, want 500", status, rec.Code)
		}
	}
	rec = httptest.NewRecorder()
	WriteError(rec, JSON, "", nil)
	if rec.Code != 500 || !strings.Contains(rec.Body.String(), "InternalError") {
		t.Errorf("nil error: %d %s", rec.Code, rec.Body)
	}
}
