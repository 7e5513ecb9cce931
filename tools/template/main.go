// Command template renders ESO `spec.target.template`s (engine v2) over secret data the way the
// External Secrets Operator v2.9.0 builds a Secret from them, so the project can check every
// template it emits without a cluster. One process renders a whole batch:
//
//	template < request.json > response.json
//
// request:  {"cases": [{"id", "template", "data": {key: base64}, ...}]}
// response: {"results": [{"id", "secret": {"type", "labels", "annotations", "finalizers", "data": {key: base64}}} | {"id", "error"}]}
//
// A case that fails to render is a result with `error`, not a failed process: the caller sees
// every failure of a batch at once. The process exits non-zero only on a malformed request.
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
)

type request struct {
	Cases []renderCase `json:"cases"`
}

type response struct {
	Results []result `json:"results"`
}

type result struct {
	ID     string  `json:"id"`
	Secret *secret `json:"secret,omitempty"`
	Error  string  `json:"error,omitempty"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "template:", err)
		os.Exit(2)
	}
}

func run(in io.Reader, out io.Writer) error {
	dec := json.NewDecoder(in)
	dec.DisallowUnknownFields()
	var req request
	if err := dec.Decode(&req); err != nil {
		return fmt.Errorf("reading the request from stdin: %w", err)
	}
	res := response{Results: make([]result, 0, len(req.Cases))}
	for i, c := range req.Cases {
		if c.ID == "" {
			return fmt.Errorf("cases[%d]: id is required", i)
		}
		s, err := render(c)
		if err != nil {
			res.Results = append(res.Results, result{ID: c.ID, Error: err.Error()})
			continue
		}
		res.Results = append(res.Results, result{ID: c.ID, Secret: s})
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false)
	return enc.Encode(res)
}
