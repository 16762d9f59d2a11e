package reference

import (
	"encoding/json"
	"time"
)

// smcState is the smc share of an account. The SMC domain (source servers, replication jobs,
// tags, access tokens, workgroups) fills it in.
type smcState struct{}

func newSMCState() *smcState { return &smcState{} }

func (s *smcState) advance(now time.Time)                                      {}
func (s *smcState) dump() map[string]any                                       { return map[string]any{} }
func (s *smcState) seed(kinds map[string]json.RawMessage, now time.Time) error { return nil }
func (s *smcState) lookup(kind, id string) (Stateful, bool)                    { return nil, false }
func (s *smcState) force(id string, fields map[string]string) (bool, error)    { return false, nil }

func smcHandlers() map[string]Handler { return map[string]Handler{} }
