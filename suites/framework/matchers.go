package framework

import (
	"fmt"

	"github.com/onsi/gomega/gcustom"
	"github.com/onsi/gomega/types"
	"github.com/smcct/smcct/spec"
)

// received describes an answer in one line for a failure message.
func received(r *Result) string {
	if r == nil || r.Response == nil {
		return "no answer"
	}
	if r.Err != nil {
		return fmt.Sprintf("%d %s %q", r.Err.Status, r.Err.Code, r.Err.Message)
	}
	body := r.Response.Body
	if len(body) > 512 {
		body = append(body[:512:512], "..."...)
	}
	return fmt.Sprintf("%d %s", r.Response.Status, body)
}

// GomegaString keeps failure messages to what matters: status, code, message or body.
func (r *Result) GomegaString() string { return received(r) }

// Succeed200 matches a successful call.
func Succeed200() types.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *Result) (bool, error) {
		return r.OK(), nil
	}).WithMessage("succeed with 200") // gcustom writes "to " before it
}

// HaveError matches a service error with the code and status. A non-empty message is
// compared exactly: message templates are part of the contract.
func HaveError(code string, status int, message string) types.GomegaMatcher {
	return gcustom.MakeMatcher(func(r *Result) (bool, error) {
		if r == nil || r.Err == nil {
			return false, nil
		}
		return r.Err.Code == code && r.Err.Status == status && (message == "" || r.Err.Message == message), nil
	}).WithMessage(fmt.Sprintf("be %d %s%s", status, code, quoted(message)))
}

// HaveDocumentedError matches a documented error with its template filled with args.
func HaveDocumentedError(e spec.ErrorCode, args ...string) types.GomegaMatcher {
	msg := ""
	if len(args) > 0 || !e.HasHoles() {
		msg = e.Format(args...)
	}
	return HaveError(e.Code, e.Status, msg)
}

// HaveCode matches a service error by code and status, whatever the message.
func HaveCode(code string, status int) types.GomegaMatcher { return HaveError(code, status, "") }

func quoted(s string) string {
	if s == "" {
		return ""
	}
	return fmt.Sprintf(" %q", s)
}
