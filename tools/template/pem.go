package main

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
)

// filterPEM keeps the PEM blocks whose type equals pemType (case-insensitively), re-encoded,
// in input order. Text before the first "-----BEGIN" is ignored; if nothing matched and
// undecodable text remains, it is an error.
func filterPEM(pemType, input string) (string, error) {
	rest := []byte(skipToBegin(input))
	var out []byte
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			break
		}
		if strings.EqualFold(block.Type, pemType) {
			out = append(out, pem.EncodeToMemory(block)...)
		}
	}
	if len(out) == 0 && len(rest) != 0 {
		return "", errors.New("error filtering pem: found junk")
	}
	return string(out), nil
}

// skipToBegin drops what precedes the first PEM header, as pem.Decode did before Go 1.26.
func skipToBegin(input string) string {
	if i := strings.Index(input, "-----BEGIN"); i >= 0 {
		return input[i:]
	}
	return input
}

func encodeCert(c *x509.Certificate) string {
	return string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw}))
}

// filterCertChain orders the certificates as leaf, intermediates, root (by Authority/Subject
// Key IDs, with no signature check) and returns one part: "leaf" (only if it is not
// self-issued), "intermediate" (everything after the leaf up to the root), or "root".
func filterCertChain(certType, input string) (string, error) {
	chain, err := orderChain([]byte(input))
	if err != nil {
		return "", err
	}
	switch certType {
	case "leaf":
		if c := chain[0]; c.AuthorityKeyId != nil && !bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId) {
			return encodeCert(c), nil
		}
	case "intermediate":
		var out strings.Builder
		for _, c := range chain[min(1, len(chain)):] {
			if isRoot(c) {
				break
			}
			out.WriteString(encodeCert(c))
		}
		return out.String(), nil
	case "root":
		if c := chain[len(chain)-1]; isRoot(c) {
			return encodeCert(c), nil
		}
	}
	return "", nil
}

func isRoot(c *x509.Certificate) bool {
	return c.AuthorityKeyId == nil || bytes.Equal(c.AuthorityKeyId, c.SubjectKeyId)
}

// orderChain links each certificate to the first other one whose SubjectKeyId is its
// AuthorityKeyId; the single certificate nobody points at is the leaf.
func orderChain(data []byte) ([]*x509.Certificate, error) {
	var certs []*x509.Certificate
	for {
		var block *pem.Block
		block, data = pem.Decode(data)
		if block == nil {
			break
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return nil, err
		}
		certs = append(certs, c)
	}
	parent := make([]int, len(certs))
	isParent := make([]bool, len(certs))
	for i := range certs {
		parent[i] = -1
		for j := range certs {
			if i != j && bytes.Equal(certs[i].AuthorityKeyId, certs[j].SubjectKeyId) {
				parent[i], isParent[j] = j, true
				break
			}
		}
	}
	leaf := -1
	for i := range certs {
		if !isParent[i] {
			if leaf >= 0 {
				return nil, errors.New("found multiple leaf or disjunct certificates")
			}
			leaf = i
		}
	}
	if leaf < 0 {
		return nil, errors.New("no leaf certificate found")
	}
	var chain []*x509.Certificate
	for i := leaf; i >= 0; i = parent[i] {
		if len(chain) == len(certs) {
			return nil, errors.New("constructing chain resulted in cycle")
		}
		chain = append(chain, certs[i])
	}
	return chain, nil
}

// certSANs lists the first certificate's DNS names, IP addresses, e-mail addresses and URIs,
// in that order.
func certSANs(input string) ([]string, error) {
	block, _ := pem.Decode([]byte(skipToBegin(input)))
	if block == nil {
		return nil, errors.New("failed to decode PEM block")
	}
	c, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return nil, fmt.Errorf("failed to parse certificate: %w", err)
	}
	sans := append([]string{}, c.DNSNames...)
	for _, ip := range c.IPAddresses {
		sans = append(sans, ip.String())
	}
	sans = append(sans, c.EmailAddresses...)
	for _, u := range c.URIs {
		sans = append(sans, u.String())
	}
	return sans, nil
}
