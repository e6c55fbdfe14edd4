// Command oracle asks Istio's own control plane (istio.io/istio, pinned in go.mod) which Envoy
// configuration it sends to the lab's proxies at every step of every scenario, and writes it
// as trimmed Envoy config dumps: the golden files the offline tests route by.
//
// Usage: oracle -steps ../steps.json -manifests ../../../manifests -out DIR
//
// Nothing of Istio is copied here: the translation is pilot's own, through its fake discovery
// server (istio.io/istio/pilot/test/xds), which runs the real Kubernetes service registry
// over a fake API client and the real config generators.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"sort"
	"strings"
)

// istioLine is the release line of the pinned istio.io/istio commit (its VERSION file). The
// proxies report it as their version, so version-gated translation follows the control plane.
const istioLine = "1.31"

// usageError is bad input: one line of cause and fix, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	stepsPath := flag.String("steps", "", "the scenarios' steps (oracles/istio/steps.json)")
	manifestDir := flag.String("manifests", "", "the suite's manifests/ folder")
	outDir := flag.String("out", "", "where to write <scenario>/<step>/<proxy>.json (created)")
	only := flag.String("scenario", "", "only this scenario id (default: every one)")
	verbose := flag.Bool("v", false, "show pilot's warnings and errors")
	flag.Parse()
	quietIstioLogs(*verbose)
	if err := run(*stepsPath, *manifestDir, *outDir, *only); err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "oracle:", u.msg)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}

func run(stepsPath, manifestDir, outDir, only string) error {
	if stepsPath == "" || manifestDir == "" || outDir == "" {
		return usageError{"-steps, -manifests and -out are required (see oracles/istio/README.md)"}
	}
	scenarios, err := readSteps(stepsPath)
	if err != nil {
		return err
	}
	ids := make([]string, 0, len(scenarios))
	for id := range scenarios {
		if only == "" || id == only {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return usageError{fmt.Sprintf("no scenario %q in %s", only, stepsPath)}
	}
	sort.Strings(ids)
	for _, id := range ids {
		for _, st := range scenarios[id] {
			objs, err := loadManifests(manifestDir, st.Manifests)
			if err != nil {
				return usageError{fmt.Sprintf("%s/%s: %v", id, st.Name, err)}
			}
			dumps, err := generate(objs, st.Mesh.OutboundTrafficPolicy)
			if err != nil {
				return fmt.Errorf("%s/%s: %w", id, st.Name, err)
			}
			dir := filepath.Join(outDir, id, st.Name)
			if err := os.MkdirAll(dir, 0o755); err != nil {
				return err
			}
			for _, d := range dumps {
				if err := os.WriteFile(filepath.Join(dir, d.proxy+".json"), d.json, 0o644); err != nil {
					return err
				}
			}
		}
	}
	return writeMeta(outDir)
}

// writeMeta records which Istio produced the goldens, from the binary's own build info, so the
// folder says what it was computed by (no timestamps: the files must be reproducible).
func writeMeta(outDir string) error {
	version := "unknown"
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, dep := range info.Deps {
			if dep.Path == "istio.io/istio" {
				version = dep.Version
				if dep.Replace != nil {
					version = dep.Replace.Version
				}
			}
		}
	}
	commit := version
	if i := strings.LastIndex(version, "-"); i >= 0 {
		commit = version[i+1:]
	}
	meta := fmt.Sprintf("{\n  \"istioModule\": \"istio.io/istio\",\n  \"istioVersion\": %q,\n  \"istioCommit\": %q,\n  \"releaseLine\": %q,\n  \"proxyIstioVersion\": %q\n}\n",
		version, commit, istioLine, proxyIstioVersion)
	return os.WriteFile(filepath.Join(outDir, "oracle.json"), []byte(meta), 0o644)
}
