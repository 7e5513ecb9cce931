// Loaded with `node --require` into every process the offline preview starts (the program's
// runner, the policy pack). Plain CommonJS because it runs before any loader, tsx included.
//
// The preview holds the write end of this process's stdin and never writes to it: when the
// preview ends, however it ends (kill -9 included), the kernel closes that end and stdin reads
// EOF. This process and anything it started (its own process group: the preview spawns it as a
// group leader) then die at once instead of running on, re-parented to PID 1.
"use strict";

const { isMainThread } = require("node:worker_threads");

function die() {
  try {
    // The whole group: the process itself and whatever it spawned.
    process.kill(-process.pid, "SIGKILL");
  } catch {
    // Not a group leader (started some other way): at least this process.
    process.kill(process.pid, "SIGKILL");
  }
}

// Node 20 also loads --require modules into the thread that runs module loader hooks (tsx's),
// whose stdin is an empty stream that ends at once: only the main thread watches.
if (isMainThread) {
  process.stdin.on("end", die);
  process.stdin.on("close", die);
  process.stdin.on("error", die);
  process.stdin.resume();
  // Watching stdin must not keep the process alive once its own work is done.
  process.stdin.unref();
}
