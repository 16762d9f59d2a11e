package reference

import (
	"encoding/json"
	"time"
)

// ebsState is the ebs share of an account. The EBS domain (disks, replica groups, replica pairs,
// drills) fills it in.
type ebsState struct{}

func newEBSState() *ebsState { return &ebsState{} }

func (s *ebsState) advance(now time.Time)                                      {}
func (s *ebsState) dump() map[string]any                                       { return map[string]any{} }
func (s *ebsState) seed(kinds map[string]json.RawMessage, now time.Time) error { return nil }
func (s *ebsState) lookup(kind, id string) (Stateful, bool)                    { return nil, false }
func (s *ebsState) force(id string, fields map[string]string) (bool, error)    { return false, nil }

func ebsHandlers() map[string]Handler { return map[string]Handler{} }
