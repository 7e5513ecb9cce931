// Issue 27: the real ESO controller (v2.9.0) reconciles every secret each shipped cluster stack
// declares, on a real kube-apiserver per stack and a real OpenBao, the platform made from the
// offline render with the stacks' config pointed at the test servers (platform.ts).
import { describe, it } from "vitest";
import { findServerBinary, NO_SERVER_BINARY, SERVER_SUITES_SKIPPED } from "../integration/server";
import { findBinaries } from "../k8s/cluster";
import { missingCrds } from "../k8s/manifests";
import { findControllerBinary, NO_CONTROLLER_BINARY } from "./controller";
import { localBringUp } from "./platform";
import { describeEsoSuite } from "./suite";

const bao = findServerBinary();
const controller = findControllerBinary();
const kube = findBinaries();
const skipped =
  SERVER_SUITES_SKIPPED ??
  [
    ...(controller ? [] : [NO_CONTROLLER_BINARY]),
    ...(bao ? [] : [NO_SERVER_BINARY]),
    ...(kube.missing.length ? [`no ${kube.missing.join(", ")} (bash scripts/kube-build.sh)`] : []),
    ...missingCrds(),
  ].join("; ");

if (skipped) {
  console.log(`eso (controller + kube-apiserver + OpenBao): skipped, ${skipped}`);
  describe("ESO controller on real servers", () => it.skip(skipped, () => undefined));
} else {
  describeEsoSuite("ESO controller v2.9.0 on the offline-rendered stacks", { bringUp: localBringUp(bao!), controllerBinary: controller! });
}
