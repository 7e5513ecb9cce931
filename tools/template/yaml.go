package main

import (
	"strings"

	"sigs.k8s.io/yaml"
)

// toYAML marshals through JSON (sigs.k8s.io/yaml, as ESO does) without the final newline;
// a value that cannot be marshalled renders as "".
func toYAML(v any) string {
	data, err := yaml.Marshal(v)
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(data), "\n")
}

// fromYAML parses a YAML map; on a parse error the map holds the message under "Error".
func fromYAML(str string) map[string]any {
	m := map[string]any{}
	if err := yaml.Unmarshal([]byte(str), &m); err != nil {
		m["Error"] = err.Error()
	}
	return m
}
