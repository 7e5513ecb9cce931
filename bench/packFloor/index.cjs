// The pack floor (bench/worker.ts pack-floor): started like the real pack on run-policy-pack and
// sent the same requests, it answers them through @pulumi/policy with one policy of each kind that
// judges nothing. What it costs is the Analyzer protocol and the policy server, which any pack pays.
const { PolicyPack } = require("@pulumi/policy");

new PolicyPack("platform-secrets-bench-pack-floor", {
  enforcementLevel: "advisory",
  policies: [
    { name: "each-resource", description: "judges nothing", validateResource: () => {} },
    { name: "whole-stack", description: "judges nothing", validateStack: () => {} },
  ],
});
