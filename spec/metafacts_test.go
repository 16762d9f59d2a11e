package spec

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// The official metadata (api.aliyun.com api-docs.json, copies in ../shared/reference/metadata)
// is reduced to its machine-readable facts, kept in testdata/metadata/<document>.json: what
// each action's parameters, errors and success fields are, without the descriptions. The
// drift test compares the contract with these facts; TestMetadataFactsAreCurrent rebuilds them
// from the copies when those are present, and -update writes them.

// metaFacts is one product's metadata, reduced.
type metaFacts struct {
	Product string                 `json:"product"`
	Version string                 `json:"version"`
	Actions map[string]*actionFact `json:"actions"`
}

// actionFact is one action: its parameters by wire path (Tag.N.Key), its documented errors,
// and its success fields by path (Drills.N.DrillId) with their types.
type actionFact struct {
	Params   map[string]*paramFact `json:"params"`
	Errors   []ErrorCode           `json:"errors"`
	Response map[string]string     `json:"response"`
}

// paramFact is what the metadata schema states of one parameter or field, as wire text; an
// empty field is one the metadata leaves out.
type paramFact struct {
	Type      string   `json:"type,omitempty"`
	Format    string   `json:"format,omitempty"`
	Required  bool     `json:"required,omitempty"`
	Style     string   `json:"style,omitempty"`
	Enum      []string `json:"enum,omitempty"`
	Minimum   string   `json:"minimum,omitempty"`
	Maximum   string   `json:"maximum,omitempty"`
	MinLength string   `json:"minLength,omitempty"`
	MaxLength string   `json:"maxLength,omitempty"`
	Pattern   string   `json:"pattern,omitempty"`
	Default   string   `json:"default,omitempty"`
	MaxItems  string   `json:"maxItems,omitempty"`
	// Not and UniqueItems are contract keywords the metadata has no counterpart for; they
	// stay empty on its side.
	Not         string `json:"not,omitempty"`
	UniqueItems bool   `json:"uniqueItems,omitempty"`
}

// apiDocs is the part of an api-docs.json the facts come from.
type apiDocs struct {
	Info struct {
		Product string `json:"product"`
		Version string `json:"version"`
	} `json:"info"`
	APIs map[string]struct {
		Parameters []struct {
			Name   string     `json:"name"`
			Style  string     `json:"style"`
			Schema metaSchema `json:"schema"`
		} `json:"parameters"`
		Responses map[string]struct {
			Schema metaSchema `json:"schema"`
		} `json:"responses"`
		ErrorCodes map[string][]struct {
			Code    string `json:"errorCode"`
			Message string `json:"errorMessage"`
		} `json:"errorCodes"`
	} `json:"apis"`
}

type metaSchema struct {
	Type            string                 `json:"type"`
	Format          string                 `json:"format"`
	Required        any                    `json:"required"` // a bool on parameters
	Enum            []any                  `json:"enum"`
	EnumValueTitles map[string]any         `json:"enumValueTitles"`
	Minimum         any                    `json:"minimum"`
	Maximum         any                    `json:"maximum"`
	MinLength       any                    `json:"minLength"`
	MaxLength       any                    `json:"maxLength"`
	Pattern         string                 `json:"pattern"`
	Default         any                    `json:"default"`
	MaxItems        any                    `json:"maxItems"`
	Items           *metaSchema            `json:"items"`
	Properties      map[string]*metaSchema `json:"properties"`
}

// reduceAPIDocs turns one api-docs.json into its facts.
func reduceAPIDocs(data []byte) (*metaFacts, error) {
	var docs apiDocs
	if err := json.Unmarshal(data, &docs); err != nil {
		return nil, err
	}
	f := &metaFacts{Product: docs.Info.Product, Version: docs.Info.Version, Actions: map[string]*actionFact{}}
	for name, api := range docs.APIs {
		a := &actionFact{Params: map[string]*paramFact{}, Response: map[string]string{}}
		for _, p := range api.Parameters {
			addParamFacts(a.Params, p.Name, &p.Schema, p.Style)
		}
		for status, codes := range api.ErrorCodes {
			n, err := strconv.Atoi(status)
			if err != nil {
				return nil, fmt.Errorf("%s: error status %q", name, status)
			}
			for _, c := range codes {
				a.Errors = append(a.Errors, ErrorCode{Code: c.Code, Status: n, Message: c.Message})
			}
		}
		sort.Slice(a.Errors, func(i, j int) bool { return a.Errors[i].Code < a.Errors[j].Code })
		if ok, found := api.Responses["200"]; found {
			addResponseFacts(a.Response, "", &ok.Schema)
		}
		f.Actions[name] = a
	}
	return f, nil
}

func addParamFacts(out map[string]*paramFact, wire string, s *metaSchema, style string) {
	pf := &paramFact{
		Type: s.Type, Format: s.Format, Style: style, Pattern: s.Pattern,
		Minimum: metaText(s.Minimum), Maximum: metaText(s.Maximum),
		MinLength: metaText(s.MinLength), MaxLength: metaText(s.MaxLength),
		Default: metaText(s.Default), MaxItems: metaText(s.MaxItems),
	}
	pf.Required, _ = s.Required.(bool)
	for _, v := range s.Enum {
		pf.Enum = append(pf.Enum, metaText(v))
	}
	if len(pf.Enum) == 0 {
		for v := range s.EnumValueTitles {
			pf.Enum = append(pf.Enum, v)
		}
	}
	sort.Strings(pf.Enum)
	out[wire] = pf
	if s.Items != nil {
		addParamFacts(out, wire+".N", s.Items, "")
	}
	for name, prop := range s.Properties {
		addParamFacts(out, wire+"."+name, prop, "")
	}
}

func addResponseFacts(out map[string]string, prefix string, s *metaSchema) {
	for name, prop := range s.Properties {
		p := name
		if prefix != "" {
			p = prefix + "." + name
		}
		out[p] = prop.Type
		if prop.Items != nil {
			out[p+".N"] = prop.Items.Type
			addResponseFacts(out, p+".N", prop.Items)
		}
		addResponseFacts(out, p, prop)
	}
}

// metaText renders a metadata value (numbers and booleans often arrive as strings) as wire
// text: 50, not "50" or 5e1.
func metaText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		if f, err := strconv.ParseFloat(x, 64); err == nil && strconv.FormatFloat(f, 'f', -1, 64) == strings.TrimLeft(x, "+") {
			return strconv.FormatFloat(f, 'f', -1, 64)
		}
		return x
	}
	return WireText(v)
}

// metadataDir finds the official metadata copies: $SMCCT_METADATA, else
// shared/reference/metadata beside the repository or one of its parents (the main checkout
// and the worktrees sit at different depths). "" when there are none, as on a CI machine.
func metadataDir() string {
	if d := os.Getenv("SMCCT_METADATA"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		return ""
	}
	for ; ; dir = filepath.Dir(dir) {
		cand := filepath.Join(dir, "shared", "reference", "metadata")
		if st, err := os.Stat(cand); err == nil && st.IsDir() {
			return cand
		}
		if parent := filepath.Dir(dir); parent == dir {
			return ""
		}
	}
}

// factsFile is where the reduced facts of one contract document are kept.
func factsFile(document string) string {
	return filepath.Join("testdata", "metadata", strings.TrimSuffix(document, ".yaml")+".json")
}

func loadFacts(document string) (*metaFacts, error) {
	data, err := os.ReadFile(factsFile(document))
	if err != nil {
		return nil, err
	}
	var f metaFacts
	return &f, json.Unmarshal(data, &f)
}

func encodeFacts(f *metaFacts) ([]byte, error) {
	b, err := json.MarshalIndent(f, "", " ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
