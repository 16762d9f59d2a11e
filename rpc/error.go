package rpc

import (
	"errors"
	"fmt"

	"github.com/smcct/smcct/spec"
)

// Error is a service error as it travels on the wire: the one typed error of smcct. The
// reference returns it from handlers, the envelope writer renders it, and the client decodes
// error bodies into it.
type Error struct {
	Status    int    `json:"-"`
	RequestID string `json:"RequestId"`
	HostID    string `json:"HostId,omitempty"`
	Code      string `json:"Code"`
	Message   string `json:"Message"`
	Recommend string `json:"Recommend,omitempty"`
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s (HTTP %d): %s", e.Code, e.Status, e.Message)
}

// NewError builds an Error from a documented code, filling the message template with args.
func NewError(code spec.ErrorCode, args ...string) *Error {
	return &Error{Status: code.Status, Code: code.Code, Message: code.Format(args...)}
}

// AsError returns the *Error inside err, if any.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}
