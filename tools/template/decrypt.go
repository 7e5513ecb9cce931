package main

import (
	"crypto/rsa"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"hash"
)

// rsaDecrypt(scheme, hash, ciphertext, privateKeyPEM): scheme "None" returns the input,
// "RSA-OAEP" decrypts with hash SHA1, SHA256 or SHA512 (anything else: SHA256) and no label.
func rsaDecrypt(scheme, hashName, in, privateKey string) (string, error) {
	switch scheme {
	case "None":
		return in, nil
	case "RSA-OAEP":
		block, _ := pem.Decode([]byte(privateKey))
		if block == nil {
			return "", errors.New("failed to decode PEM block")
		}
		key, err := parsePrivateKey(block.Bytes)
		if err != nil {
			return "", fmt.Errorf("could not parse private key: %v", err)
		}
		rsaKey, ok := key.(*rsa.PrivateKey)
		if !ok {
			return "", errors.New("could not parse RSA private key")
		}
		out, err := rsa.DecryptOAEP(oaepHash(hashName), nil, rsaKey, []byte(in), nil)
		if err != nil {
			return "", fmt.Errorf("error decrypting data with RSA: %v", err)
		}
		return string(out), nil
	}
	return "", fmt.Errorf("decryption scheme %v is not supported", scheme)
}

func oaepHash(name string) hash.Hash {
	switch name {
	case "SHA1":
		return sha1.New()
	case "SHA512":
		return sha512.New()
	}
	return sha256.New()
}

// parsePrivateKey tries PKCS#1, PKCS#8 and SEC 1 (EC), in that order.
func parsePrivateKey(der []byte) (any, error) {
	if k, err := x509.ParsePKCS1PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParsePKCS8PrivateKey(der); err == nil {
		return k, nil
	}
	if k, err := x509.ParseECPrivateKey(der); err == nil {
		return k, nil
	}
	return nil, errors.New("unable to parse private key type")
}
