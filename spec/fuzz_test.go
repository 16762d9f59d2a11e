package spec

import (
	"net/url"
	"testing"
	"time"
)

// FuzzValidate sends arbitrary parameter sets to every action of the embedded catalog: the
// validator must not panic, must finish quickly, and must name every violation.
func FuzzValidate(f *testing.F) {
	c, err := Default()
	if err != nil {
		f.Skipf("the embedded catalog does not load yet: %v", err)
	}
	actions := c.Actions()
	if len(actions) == 0 {
		f.Fatal("the catalog has no actions")
	}
	for i, seed := range []string{
		"JobId=j-1&RegionId=cn-hangzhou",
		"DataDisk.1.Part.2.SizeBytes=x&DataDisk.1.Size=1&Tag.1.Key=a&Tag.3.Key=b",
		"Disks.System.Part.1.Path=%2Fboot&Name=http%3A%2F%2Fx&SystemDiskSize=-1",
		"PageSize=0&PageNumber=99999999999999999999&Tag.21.Key=a&InstanceId.1=i&InstanceId=i",
		"Action=X&Version=2019-06-01&Foo=1&Schedule=%7B",
	} {
		f.Add(uint16(i), seed)
	}
	f.Fuzz(func(t *testing.T, which uint16, raw string) {
		params, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		a := actions[int(which)%len(actions)]
		start := time.Now()
		in, vs := a.Decode(params)
		if d := time.Since(start); d > 2*time.Second {
			t.Fatalf("%s took %v", a.Name, d)
		}
		for _, v := range vs {
			if v.Rule == "" || v.Code == "" || v.Status < 400 {
				t.Fatalf("%s: incomplete violation %+v", a.Name, v)
			}
		}
		if _, failed := FirstError(vs); !failed {
			// An accepted request decodes to parameters the action has, and nothing else.
			for name := range in {
				if _, ok := a.Param(name); !ok {
					t.Fatalf("%s: accepted input has %s", a.Name, name)
				}
			}
		}
	})
}
