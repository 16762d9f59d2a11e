package flat

import (
	"fmt"
	"strconv"
	"strings"
)

// ProblemKind classifies why a wire parameter could not be decoded.
type ProblemKind uint8

// The problems the decoder reports. Each names the exact wire parameter at fault.
const (
	// WrongType: the value does not coerce to the shape's kind (e.g. `Size=abc` for an integer).
	WrongType ProblemKind = iota + 1
	// BadIndex: a list index that is 0, not a canonical decimal, or above Limits.MaxIndex.
	BadIndex
	// Gap: a list skips an index (Tag.1 and Tag.3 without Tag.2); Param names the missing one.
	Gap
	// TooMany: an index beyond the list's MaxItems; Param names the list.
	TooMany
	// Repeated: the same parameter was given more than once.
	Repeated
	// BadShape: the name does not fit the shape: deeper than it allows, a scalar addressed as a
	// list or object, an object or object list given as one value, an empty name part.
	BadShape
	// Conflict: a list given both as `Name` and as `Name.N`.
	Conflict
	// TooLarge: a request beyond Limits (too many parameters, a value too long, a name too deep).
	TooLarge
)

var kindNames = map[ProblemKind]string{
	WrongType: "wrong type", BadIndex: "bad index", Gap: "gap", TooMany: "too many items",
	Repeated: "repeated", BadShape: "bad shape", Conflict: "conflict", TooLarge: "too large",
}

func (k ProblemKind) String() string {
	if s, ok := kindNames[k]; ok {
		return s
	}
	return "problem(" + strconv.Itoa(int(k)) + ")"
}

// Problem is one parameter the decoder could not turn into a value. Param is empty only for
// problems of the request as a whole (too many parameters).
type Problem struct {
	Kind   ProblemKind
	Param  string
	Detail string
}

func (p Problem) Error() string {
	if p.Param == "" {
		return fmt.Sprintf("%s: %s", p.Kind, p.Detail)
	}
	return fmt.Sprintf("%s: %s: %s", p.Param, p.Kind, p.Detail)
}

// CompareNames orders wire names part by part, numeric parts by value, so that DataDisk.2
// sorts before DataDisk.10. It returns -1, 0 or +1, and it is a total order (sorting gives
// one result whatever order the names came in): numeric parts come before all others, and
// equal numbers written differently (2 and 02) are told apart by their text.
func CompareNames(a, b string) int {
	for {
		pa, ra, moreA := strings.Cut(a, ".")
		pb, rb, moreB := strings.Cut(b, ".")
		if c := comparePart(pa, pb); c != 0 {
			return c
		}
		switch {
		case !moreA && !moreB:
			return 0
		case !moreA:
			return -1
		case !moreB:
			return 1
		}
		a, b = ra, rb
	}
}

func comparePart(a, b string) int {
	da, db := isDigits(a), isDigits(b)
	switch {
	case da && db:
		// Compare digit strings by value without parsing: they may be arbitrarily long.
		ta, tb := strings.TrimLeft(a, "0"), strings.TrimLeft(b, "0")
		if len(ta) != len(tb) {
			if len(ta) < len(tb) {
				return -1
			}
			return 1
		}
		if c := strings.Compare(ta, tb); c != 0 {
			return c
		}
	case da:
		return -1
	case db:
		return 1
	}
	return strings.Compare(a, b)
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}
