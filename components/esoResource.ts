import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Adoption } from "../model/adoption";
import type { EsoManifest } from "../model/eso";

/** Registers a schema-validated ESO manifest (see model/eso.ts) as a Kubernetes custom resource. */
export function esoResource(name: string, manifest: EsoManifest, opts: pulumi.CustomResourceOptions, adopt: Adoption): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(
    name,
    { apiVersion: manifest.apiVersion, kind: manifest.kind, metadata: manifest.metadata, spec: manifest.spec },
    { ...opts, ...adopt.kubernetes(manifest.kind, manifest.metadata.name, manifest.metadata.namespace) },
  );
}
