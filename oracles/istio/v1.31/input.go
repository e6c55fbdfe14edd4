package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"sigs.k8s.io/yaml"
)

// step is one state of a scenario: every manifest in force (in apply order) and the mesh's
// outbound traffic policy.
type step struct {
	Name      string   `json:"name"`
	Manifests []string `json:"manifests"`
	Mesh      struct {
		OutboundTrafficPolicy string `json:"outboundTrafficPolicy"`
	} `json:"mesh"`
}

type stepsFile struct {
	Scenarios map[string][]step `json:"scenarios"`
}

func readSteps(path string) (map[string][]step, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, usageError{fmt.Sprintf("cannot read %s: %v", path, err)}
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f stepsFile
	if err := dec.Decode(&f); err != nil {
		return nil, usageError{fmt.Sprintf("%s: %v (expected {\"scenarios\": {id: [{name, manifests, mesh}]}})", path, err)}
	}
	for id, steps := range f.Scenarios {
		seen := map[string]bool{}
		for _, s := range steps {
			switch {
			case s.Name == "" || strings.ContainsAny(s.Name, `/\`):
				return nil, usageError{fmt.Sprintf("%s: scenario %s has a step without a plain name", path, id)}
			case seen[s.Name]:
				return nil, usageError{fmt.Sprintf("%s: scenario %s has two steps named %s", path, id, s.Name)}
			case s.Mesh.OutboundTrafficPolicy != "ALLOW_ANY" && s.Mesh.OutboundTrafficPolicy != "REGISTRY_ONLY":
				return nil, usageError{fmt.Sprintf("%s: %s/%s: mesh.outboundTrafficPolicy must be ALLOW_ANY or REGISTRY_ONLY", path, id, s.Name)}
			}
			seen[s.Name] = true
		}
	}
	return f.Scenarios, nil
}

// object is one YAML document of a manifest, with the fields the oracle dispatches on.
type object struct {
	APIVersion string
	Kind       string
	Namespace  string
	Name       string
	YAML       []byte
	// Order is the object's position in apply order; a later apply of the same object wins
	// and counts as its latest change (its creation order for Istio's merge rules).
	Order int
}

func (o object) key() string {
	group := o.APIVersion
	if i := strings.Index(group, "/"); i >= 0 {
		group = group[:i]
	} else {
		group = ""
	}
	return group + "/" + o.Kind + "/" + o.Namespace + "/" + o.Name
}

// loadManifests reads the manifests in apply order; an object applied again replaces the
// earlier one (server-side apply of the same name), as on the cluster.
func loadManifests(dir string, files []string) ([]object, error) {
	byKey := map[string]object{}
	order := 0
	for _, file := range files {
		raw, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			return nil, fmt.Errorf("cannot read manifest %s: %v", file, err)
		}
		docs, err := splitYAML(raw)
		if err != nil {
			return nil, fmt.Errorf("%s: %v", file, err)
		}
		for _, doc := range docs {
			var head struct {
				APIVersion string `json:"apiVersion"`
				Kind       string `json:"kind"`
				Metadata   struct {
					Name      string `json:"name"`
					Namespace string `json:"namespace"`
				} `json:"metadata"`
			}
			if err := yaml.Unmarshal(doc, &head); err != nil {
				return nil, fmt.Errorf("%s: %v", file, err)
			}
			if head.Kind == "" {
				continue
			}
			if head.Metadata.Namespace == "" {
				return nil, fmt.Errorf("%s: %s %s has no namespace", file, head.Kind, head.Metadata.Name)
			}
			o := object{
				APIVersion: head.APIVersion, Kind: head.Kind,
				Namespace: head.Metadata.Namespace, Name: head.Metadata.Name,
				YAML: doc, Order: order,
			}
			order++
			byKey[o.key()] = o
		}
	}
	out := make([]object, 0, len(byKey))
	for _, o := range byKey {
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Order < out[j].Order })
	return out, nil
}

// splitYAML splits a multi-document YAML file on its "---" lines.
func splitYAML(raw []byte) ([][]byte, error) {
	var docs [][]byte
	var cur bytes.Buffer
	flush := func() {
		if strings.TrimSpace(stripComments(cur.String())) != "" {
			docs = append(docs, append([]byte(nil), cur.Bytes()...))
		}
		cur.Reset()
	}
	r := bytes.NewReader(raw)
	for {
		line, err := readLine(r)
		if strings.TrimRight(line, " \t\r\n") == "---" {
			flush()
		} else {
			cur.WriteString(line)
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	flush()
	return docs, nil
}

func readLine(r *bytes.Reader) (string, error) {
	var b strings.Builder
	for {
		c, err := r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		b.WriteByte(c)
		if c == '\n' {
			return b.String(), nil
		}
	}
}

func stripComments(s string) string {
	var b strings.Builder
	for _, line := range strings.Split(s, "\n") {
		if !strings.HasPrefix(strings.TrimSpace(line), "#") {
			b.WriteString(line)
			b.WriteByte('\n')
		}
	}
	return b.String()
}
