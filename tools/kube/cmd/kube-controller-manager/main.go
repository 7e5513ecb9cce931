package main

import (
	"os"
	_ "time/tzdata"

	"k8s.io/component-base/cli"
	_ "k8s.io/component-base/logs/json/register"
	_ "k8s.io/component-base/metrics/prometheus/clientgo"
	_ "k8s.io/component-base/metrics/prometheus/version"
	"k8s.io/kubernetes/cmd/kube-controller-manager/app"
)

// The token controller that fills service-account token Secrets lives here;
// test/k8s runs it with only the controllers the tests need.
func main() {
	os.Exit(cli.Run(app.NewControllerManagerCommand()))
}
