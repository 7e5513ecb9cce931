package main

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
)

// jwk holds the members of an RFC 7517/7518/8037 key this tool reads: RSA, EC (P-256,
// P-384, P-521) and OKP Ed25519. Symmetric ("oct") and X25519 keys have no PEM form here, as in ESO.
type jwk struct {
	Kty string `json:"kty"`
	Crv string `json:"crv"`
	N   string `json:"n"`
	E   string `json:"e"`
	D   string `json:"d"`
	P   string `json:"p"`
	Q   string `json:"q"`
	X   string `json:"x"`
	Y   string `json:"y"`
}

// jwkPublicKeyPem: a public JWK as PKIX "PUBLIC KEY" PEM. As in ESO, a JWK holding a private
// key is an error (x509 marshals public keys only), not its public half.
func jwkPublicKeyPem(jwkJSON string) (string, error) {
	key, err := parseJWK(jwkJSON)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKIXPublicKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// jwkPrivateKeyPem: a private JWK as PKCS#8 "PRIVATE KEY" PEM; a public JWK is an error.
func jwkPrivateKeyPem(jwkJSON string) (string, error) {
	key, err := parseJWK(jwkJSON)
	if err != nil {
		return "", err
	}
	der, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// parseJWK returns the key the JWK holds: private when it has "d", public otherwise.
func parseJWK(s string) (any, error) {
	var k jwk
	if err := json.Unmarshal([]byte(s), &k); err != nil {
		return nil, fmt.Errorf("failed to unmarshal JWK: %w", err)
	}
	b := func(name, v string) ([]byte, error) {
		if v == "" {
			return nil, fmt.Errorf("JWK %s key: required member %q is missing", k.Kty, name)
		}
		out, err := base64.RawURLEncoding.DecodeString(v)
		if err != nil {
			return nil, fmt.Errorf("JWK %s key: member %q is not base64url: %w", k.Kty, name, err)
		}
		return out, nil
	}
	n := func(name, v string) (*big.Int, error) {
		raw, err := b(name, v)
		if err != nil {
			return nil, err
		}
		return new(big.Int).SetBytes(raw), nil
	}
	switch k.Kty {
	case "RSA":
		mod, err := n("n", k.N)
		if err != nil {
			return nil, err
		}
		e, err := n("e", k.E)
		if err != nil {
			return nil, err
		}
		pk := rsa.PublicKey{N: mod, E: int(e.Int64())}
		if k.D == "" {
			return &pk, nil
		}
		var ints [3]*big.Int
		for i, m := range [][2]string{{"d", k.D}, {"p", k.P}, {"q", k.Q}} {
			if ints[i], err = n(m[0], m[1]); err != nil {
				return nil, err
			}
		}
		key := &rsa.PrivateKey{PublicKey: pk, D: ints[0], Primes: []*big.Int{ints[1], ints[2]}}
		key.Precompute()
		return key, nil
	case "EC":
		curve, ok := map[string]elliptic.Curve{"P-256": elliptic.P256(), "P-384": elliptic.P384(), "P-521": elliptic.P521()}[k.Crv]
		if !ok {
			return nil, fmt.Errorf("JWK EC key: unsupported curve %q", k.Crv)
		}
		x, err := n("x", k.X)
		if err != nil {
			return nil, err
		}
		y, err := n("y", k.Y)
		if err != nil {
			return nil, err
		}
		pk := ecdsa.PublicKey{Curve: curve, X: x, Y: y}
		if k.D == "" {
			return &pk, nil
		}
		d, err := n("d", k.D)
		if err != nil {
			return nil, err
		}
		key := &ecdsa.PrivateKey{PublicKey: pk, D: d}
		return key, nil
	case "OKP":
		x, err := b("x", k.X)
		if err != nil {
			return nil, err
		}
		switch k.Crv {
		case "Ed25519":
			if len(x) != ed25519.PublicKeySize {
				return nil, fmt.Errorf("JWK OKP key: Ed25519 x must be %d bytes", ed25519.PublicKeySize)
			}
			if k.D == "" {
				return ed25519.PublicKey(x), nil
			}
			seed, err := b("d", k.D)
			if err != nil {
				return nil, err
			}
			if len(seed) != ed25519.SeedSize {
				return nil, fmt.Errorf("JWK OKP key: Ed25519 d must be %d bytes", ed25519.SeedSize)
			}
			key := ed25519.NewKeyFromSeed(seed)
			return key, nil
		case "X25519":
			// ESO's JWK library hands x509 its own X25519 key type, which x509 cannot marshal.
			return nil, errors.New("x509: unsupported key type: X25519 JWKs have no PEM form in ESO v2.9.0")
		}
		return nil, fmt.Errorf("JWK OKP key: unsupported curve %q", k.Crv)
	}
	return nil, fmt.Errorf("JWK: key type %q has no PEM form here (RSA, EC and OKP only)", k.Kty)
}
