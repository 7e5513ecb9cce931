package main

import (
	"os"
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-apiserver/app"
)

// Same as upstream cmd/kube-apiserver: upstream's own main package cannot be
// built from the module proxy without its staging replace lines, which only
// this module supplies.
func main() {
	os.Exit(cli.Run(app.NewAPIServerCommand()))
}
