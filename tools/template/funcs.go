package main

import (
	"crypto/sha1"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig/v3"
	"golang.org/x/crypto/bcrypt"
)

// ESO v2.9.0 vendors sprig at a commit after v3.3.0 and removes what could leak the
// controller's environment or reach the network.
var removedFromSprig = []string{"env", "expandenv", "getHostByName"}

// ESO's own helpers this tool leaves out: they need a PKCS#12 codec, and no template the
// program emits calls them. A template that does fails with this message, not silently.
var leftOut = []string{
	"pkcs12key", "pkcs12keyPass", "pkcs12cert", "pkcs12certPass",
	"pemToPkcs12", "pemToPkcs12Pass", "fullPemToPkcs12", "fullPemToPkcs12Pass",
	"pemTruststoreToPKCS12", "pemTruststoreToPKCS12Pass",
}

func funcMap() template.FuncMap {
	m := sprig.TxtFuncMap()
	for _, name := range removedFromSprig {
		delete(m, name)
	}
	// What ESO's sprig commit has that v3.3.0 does not.
	m["hexdec"] = hexdec
	m["htpasswd"] = htpasswd
	// ESO's own helpers (runtime/template/v2).
	m["filterPEM"] = filterPEM
	m["filterCertChain"] = filterCertChain
	m["certSANs"] = certSANs
	m["jwkPublicKeyPem"] = jwkPublicKeyPem
	m["jwkPrivateKeyPem"] = jwkPrivateKeyPem
	m["toYaml"] = toYAML
	m["fromYaml"] = fromYAML
	m["rsaDecrypt"] = rsaDecrypt
	for _, name := range leftOut {
		m[name] = func(...any) (string, error) {
			return "", fmt.Errorf("%s is an ESO helper tools/template does not implement (README: Template correctness)", name)
		}
	}
	return m
}

// hexdec decodes hex; like sprig's b64dec it returns the error text instead of failing.
func hexdec(v string) string {
	data, err := hex.DecodeString(v)
	if err != nil {
		return err.Error()
	}
	return string(data)
}

// HashAlgorithm is htpasswd's third argument: "sha" for {SHA}, anything else bcrypt. A named
// type as in ESO's sprig, so a template passing a string variable fails there and here alike.
type HashAlgorithm string

func htpasswd(username, password string, alg HashAlgorithm) string {
	if strings.Contains(username, ":") {
		return fmt.Sprintf("invalid username: %s", username)
	}
	if alg == "sha" {
		sum := sha1.Sum([]byte(password))
		return fmt.Sprintf("%s:{SHA}%s", username, base64.StdEncoding.EncodeToString(sum[:]))
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return fmt.Sprintf("%s:failed to encrypt string with bcrypt: %s", username, err)
	}
	return fmt.Sprintf("%s:%s", username, hash)
}
