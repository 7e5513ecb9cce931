package main

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"sigs.k8s.io/yaml"
)

// esoTemplate is ESO v1's ExternalSecretTemplate, as it appears in a manifest.
type esoTemplate struct {
	Type          string `json:"type,omitempty"`
	EngineVersion string `json:"engineVersion,omitempty"`
	Metadata      struct {
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
		Finalizers  []string          `json:"finalizers,omitempty"`
	} `json:"metadata"`
	MergePolicy  string            `json:"mergePolicy,omitempty"`
	Data         map[string]string `json:"data,omitempty"`
	TemplateFrom []templateFrom    `json:"templateFrom,omitempty"`
}

type templateFrom struct {
	ConfigMap              *templateRef `json:"configMap,omitempty"`
	Secret                 *templateRef `json:"secret,omitempty"`
	Target                 string       `json:"target,omitempty"`
	Literal                *string      `json:"literal,omitempty"`
	ValuesDecodingStrategy string       `json:"valuesDecodingStrategy,omitempty"`
}

type templateRef struct {
	Name  string `json:"name"`
	Items []struct {
		Key        string `json:"key"`
		TemplateAs string `json:"templateAs,omitempty"`
	} `json:"items"`
}

// renderCase is one ExternalSecret's template with the data its data/dataFrom fetched.
type renderCase struct {
	ID       string            `json:"id"`
	Template *esoTemplate      `json:"template"`
	Data     map[string][]byte `json:"data"`
	// The ExternalSecret's own labels and annotations: ESO copies them only when there is no template.
	Labels      map[string]string `json:"labels,omitempty"`
	Annotations map[string]string `json:"annotations,omitempty"`
	// What templateFrom's configMap/secret references read from the ExternalSecret's namespace.
	ConfigMaps map[string]map[string]string `json:"configMaps,omitempty"`
	Secrets    map[string]map[string][]byte `json:"secrets,omitempty"`
}

// secret is the Secret ESO writes: type "" is left for the API server to default to Opaque.
type secret struct {
	Type        string            `json:"type"`
	Labels      map[string]string `json:"labels"`
	Annotations map[string]string `json:"annotations"`
	Finalizers  []string          `json:"finalizers,omitempty"`
	Data        map[string][]byte `json:"data"`
}

const (
	targetData        = "data"
	targetLabels      = "labels"
	targetAnnotations = "annotations"
	scopeValues       = "Values"
	scopeKeysAndVals  = "KeysAndValues"
)

// withCRDDefaults fills what the API server defaults from ESO's CRD before the controller sees
// the object: engineVersion v2, mergePolicy Replace, templateFrom target Data, templateAs Values.
func withCRDDefaults(t *esoTemplate) {
	if t.EngineVersion == "" {
		t.EngineVersion = "v2"
	}
	if t.MergePolicy == "" {
		t.MergePolicy = "Replace"
	}
	for i := range t.TemplateFrom {
		tf := &t.TemplateFrom[i]
		if tf.Target == "" {
			tf.Target = "Data"
		}
		for _, ref := range []*templateRef{tf.ConfigMap, tf.Secret} {
			if ref == nil {
				continue
			}
			for j := range ref.Items {
				if ref.Items[j].TemplateAs == "" {
					ref.Items[j].TemplateAs = scopeValues
				}
			}
		}
	}
}

// render builds a new Secret from a template as ESO's ApplyTemplate does for a Secret that does
// not exist yet (creationPolicy Owner): no earlier keys, labels or managed fields to keep.
func render(c renderCase) (*secret, error) {
	s := &secret{Labels: map[string]string{}, Annotations: map[string]string{}, Data: map[string][]byte{}}
	t := c.Template
	if t == nil {
		copyStrings(s.Labels, c.Labels)
		copyStrings(s.Annotations, c.Annotations)
		copyBytes(s.Data, c.Data)
		return s, nil
	}
	withCRDDefaults(t)
	if err := validateSecretTemplate(t); err != nil {
		return nil, err
	}
	copyStrings(s.Labels, t.Metadata.Labels)
	copyStrings(s.Annotations, t.Metadata.Annotations)
	for _, f := range t.Metadata.Finalizers {
		if !slices.Contains(s.Finalizers, f) {
			s.Finalizers = append(s.Finalizers, f)
		}
	}
	s.Type = t.Type
	if t.MergePolicy == "Merge" || (len(t.Data) == 0 && len(t.TemplateFrom) == 0) {
		copyBytes(s.Data, c.Data)
	}
	if t.EngineVersion != "v2" {
		return nil, fmt.Errorf("unsupported template engine version: %s", t.EngineVersion)
	}
	// templateFrom first; template.data after it, so data wins on a shared key; then labels
	// and annotations, whose values are templates too.
	for _, tf := range t.TemplateFrom {
		if err := mergeTemplateFrom(c, tf, s); err != nil {
			return nil, fmt.Errorf("error fetching templateFrom data: %w", err)
		}
	}
	for _, m := range []struct {
		tpl    map[string]string
		target string
	}{{t.Data, targetData}, {t.Metadata.Labels, targetLabels}, {t.Metadata.Annotations, targetAnnotations}} {
		if err := execute(toBytes(m.tpl), c.Data, scopeValues, m.target, s, "None"); err != nil {
			return nil, fmt.Errorf("could not execute template: could not execute template: %w", err)
		}
	}
	return s, nil
}

// validateSecretTemplate is ESO's ValidateSecretTemplate: the controller refuses these even
// without its admission webhook.
func validateSecretTemplate(t *esoTemplate) error {
	var errs []error
	switch t.Type {
	case "kubernetes.io/service-account-token":
		if _, ok := t.Metadata.Annotations["kubernetes.io/service-account.name"]; ok {
			errs = append(errs, fmt.Errorf("template.type=%q with annotation %q is not allowed", t.Type, "kubernetes.io/service-account.name"))
		} else {
			for _, tf := range t.TemplateFrom {
				if strings.EqualFold(tf.Target, "Annotations") {
					errs = append(errs, fmt.Errorf("template.type=%q with templateFrom target=%q is not allowed", t.Type, "Annotations"))
					break
				}
			}
		}
	case "bootstrap.kubernetes.io/token":
		errs = append(errs, fmt.Errorf("template.type=%q is not allowed", t.Type))
	}
	for _, tf := range t.TemplateFrom {
		switch strings.ToLower(tf.Target) {
		case "", targetData, targetAnnotations, targetLabels:
			continue
		}
		errs = append(errs, fmt.Errorf("templateFrom target=%q is not allowed when targeting a Secret, must be one of %q, %q or %q", tf.Target, "Data", "Annotations", "Labels"))
	}
	return errors.Join(errs...)
}

func mergeTemplateFrom(c renderCase, tf templateFrom, s *secret) error {
	if ref := tf.ConfigMap; ref != nil {
		cm, ok := c.ConfigMaps[ref.Name]
		if !ok {
			return fmt.Errorf("configmaps %q not found", ref.Name)
		}
		lookup := func(k string) ([]byte, bool) { v, ok := cm[k]; return []byte(v), ok }
		if err := mergeItems("configmap", ref, lookup, c, tf, s); err != nil {
			return err
		}
	}
	if ref := tf.Secret; ref != nil {
		sec, ok := c.Secrets[ref.Name]
		if !ok {
			return fmt.Errorf("secrets %q not found", ref.Name)
		}
		lookup := func(k string) ([]byte, bool) { v, ok := sec[k]; return v, ok }
		if err := mergeItems("secret", ref, lookup, c, tf, s); err != nil {
			return err
		}
	}
	if tf.Literal != nil {
		return execute(map[string][]byte{*tf.Literal: []byte(*tf.Literal)}, c.Data, scopeKeysAndVals, tf.Target, s, tf.ValuesDecodingStrategy)
	}
	return nil
}

// mergeItems renders the listed keys of a templateFrom ConfigMap or Secret, in list order.
func mergeItems(kind string, ref *templateRef, lookup func(string) ([]byte, bool), c renderCase, tf templateFrom, s *secret) error {
	for _, item := range ref.Items {
		val, ok := lookup(item.Key)
		if !ok {
			return fmt.Errorf("error in %s %s: missing key %s", kind, ref.Name, item.Key)
		}
		if err := execute(scoped(item.TemplateAs, item.Key, val), c.Data, item.TemplateAs, tf.Target, s, tf.ValuesDecodingStrategy); err != nil {
			return err
		}
	}
	return nil
}

// scoped keys a templateFrom item as ESO does: by its key for Values, by its own text for
// KeysAndValues (the whole rendered text is then a YAML map of keys to values).
func scoped(scope, key string, val []byte) map[string][]byte {
	if scope == scopeKeysAndVals {
		return map[string][]byte{string(val): val}
	}
	if scope == scopeValues {
		return map[string][]byte{key: val}
	}
	return map[string][]byte{}
}

func execute(tpls, data map[string][]byte, scope, target string, s *secret, decoding string) error {
	switch scope {
	case scopeValues:
		for k, v := range tpls {
			val, err := executeOne(k, string(v), data)
			if err != nil {
				return fmt.Errorf("unable to execute template at key %s: %w", k, err)
			}
			if val, err = decode(decoding, val); err != nil {
				return fmt.Errorf("failed to decode rendered template value for key %s: %w", k, err)
			}
			if err := applyToTarget(k, val, target, s); err != nil {
				return err
			}
		}
	case scopeKeysAndVals:
		for _, v := range tpls {
			val, err := executeOne(string(v), string(v), data)
			if err != nil {
				return fmt.Errorf("unable to execute template at key %s: %w", string(v), err)
			}
			src := map[string]string{}
			if err := yaml.Unmarshal(val, &src); err != nil {
				return fmt.Errorf("could not unmarshal template to 'map[string][]byte': %w", err)
			}
			for k, sv := range src {
				dv, err := decode(decoding, []byte(sv))
				if err != nil {
					return fmt.Errorf("failed to decode rendered template value for key %s: %w", k, err)
				}
				if err := applyToTarget(k, dv, target, s); err != nil {
					return err
				}
			}
		}
	default:
		return fmt.Errorf("unknown scope '%v': expected 'Values' or 'KeysAndValues'", scope)
	}
	return nil
}

// executeOne is ESO's execute: every value is handed to the template as a string, and a
// reference to a key the data lacks is an error, not "<no value>".
func executeOne(name, text string, data map[string][]byte) ([]byte, error) {
	values := make(map[string]string, len(data))
	for k, v := range data {
		values[k] = string(v)
	}
	t, err := template.New(name).Option("missingkey=error").Funcs(funcMap()).Delims("{{", "}}").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("unable to parse template at key %s: %s", name, err)
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, values); err != nil {
		return nil, fmt.Errorf("unable to execute template at key %s: %s", name, err)
	}
	return buf.Bytes(), nil
}

func applyToTarget(k string, val []byte, target string, s *secret) error {
	switch strings.ToLower(target) {
	case targetAnnotations:
		s.Annotations[k] = string(val)
	case targetLabels:
		s.Labels[k] = string(val)
	case targetData:
		s.Data[k] = val
	default:
		return fmt.Errorf("failed to apply to target: target %q is not a field of a Secret", target)
	}
	return nil
}

// decode is ESO's valuesDecodingStrategy: None, Base64, Base64URL, or Auto (Base64, then
// Base64URL, then the value as it is).
func decode(strategy string, in []byte) ([]byte, error) {
	switch strategy {
	case "", "None":
		return in, nil
	case "Base64":
		return base64.StdEncoding.DecodeString(string(in))
	case "Base64URL":
		return base64.URLEncoding.DecodeString(string(in))
	case "Auto":
		if out, err := base64.StdEncoding.DecodeString(string(in)); err == nil {
			return out, nil
		}
		if out, err := base64.URLEncoding.DecodeString(string(in)); err == nil {
			return out, nil
		}
		return in, nil
	}
	return nil, fmt.Errorf("decoding strategy %v is not supported", strategy)
}

func toBytes(m map[string]string) map[string][]byte {
	out := make(map[string][]byte, len(m))
	for k, v := range m {
		out[k] = []byte(v)
	}
	return out
}

func copyStrings(dst, src map[string]string) {
	for k, v := range src {
		dst[k] = v
	}
}

func copyBytes(dst, src map[string][]byte) {
	for k, v := range src {
		dst[k] = v
	}
}
