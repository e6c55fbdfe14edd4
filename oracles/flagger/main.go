// Command oracle runs Flagger's own controller (github.com/fluxcd/flagger, pinned in go.mod)
// over the lab's Canary, the way the flagger-canary scenario drives it, and writes the canary
// timelines Flagger produces: every status write (phase, canaryWeight, failed checks) and every
// Kubernetes event it records, for the rollback and the success revision.
//
// Usage: oracle -manifests ../../manifests -out DIR
//
// Nothing of Flagger is copied: its controller is built with its exported constructors and run
// with its exported Run, over client-go's fake Kubernetes client, Flagger's generated fake
// clientset, and a scripted metrics source (Flagger's providers.Interface). Flagger's scheduler
// keeps real time (tickers; an analysis interval is at least 10 s), so a run takes minutes.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	flaggerv1 "github.com/fluxcd/flagger/pkg/apis/flagger/v1beta1"
	"github.com/fluxcd/flagger/pkg/canary"
	flaggerfake "github.com/fluxcd/flagger/pkg/client/clientset/versioned/fake"
	informers "github.com/fluxcd/flagger/pkg/client/informers/externalversions"
	"github.com/fluxcd/flagger/pkg/controller"
	"github.com/fluxcd/flagger/pkg/metrics/observers"
	"github.com/fluxcd/flagger/pkg/notifier"
	"github.com/fluxcd/flagger/pkg/router"
	"go.uber.org/zap"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kubefake "k8s.io/client-go/kubernetes/fake"
	restclient "k8s.io/client-go/rest"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/client-go/tools/cache"
	"sigs.k8s.io/yaml"
)

// flaggerVersion is the pinned module's version (go.mod), reported as Flagger's own.
const flaggerVersion = "1.36.1"

const namespace = "istioinaction"

// usageError is bad input: one line of cause and fix, exit 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func main() {
	manifestDir := flag.String("manifests", "", "the suite's manifests/ folder")
	outDir := flag.String("out", "", "where to write flagger-canary/<variant>.json (created)")
	deadline := flag.Duration("deadline", 10*time.Minute, "give up when a phase is not reached by then")
	flag.Parse()
	if err := run(*manifestDir, *outDir, *deadline); err != nil {
		var u usageError
		if errors.As(err, &u) {
			fmt.Fprintln(os.Stderr, "oracle:", u.msg)
			os.Exit(2)
		}
		fmt.Fprintln(os.Stderr, "oracle:", err)
		os.Exit(1)
	}
}

// status is one status write of the Canary.
type status struct {
	Phase        string `json:"phase"`
	CanaryWeight int    `json:"canaryWeight"`
	FailedChecks int    `json:"failedChecks"`
	Iterations   int    `json:"iterations"`
}

type event struct {
	Type    string `json:"type"`
	Reason  string `json:"reason"`
	Message string `json:"message"`
}

// recorder keeps what Flagger wrote, in order.
type recorder struct {
	mu       sync.Mutex
	statuses []status
	events   []event
	messages map[string]string // event name -> its last message, for patches without one
}

func (r *recorder) status(s status) {
	r.mu.Lock()
	defer r.mu.Unlock()
	// Flagger writes the same status again on quiet ticks; a change is what a watcher sees.
	if n := len(r.statuses); n > 0 && r.statuses[n-1] == s {
		return
	}
	r.statuses = append(r.statuses, s)
}

func (r *recorder) snapshot() ([]status, []event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]status(nil), r.statuses...), append([]event(nil), r.events...)
}

// watchActions records the Canary's status writes and every event occurrence (a new event, or
// a patch of an existing one: Kubernetes' event correlator counts repeats that way).
func (r *recorder) watchActions(kube *kubefake.Clientset, fl *flaggerfake.Clientset) {
	fl.PrependReactor("update", "canaries", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if action.GetSubresource() == "status" {
			if c, ok := action.(k8stesting.UpdateAction).GetObject().(*flaggerv1.Canary); ok {
				r.status(status{string(c.Status.Phase), c.Status.CanaryWeight, c.Status.FailedChecks, c.Status.Iterations})
			}
		}
		return false, nil, nil
	})
	kube.PrependReactor("create", "events", func(action k8stesting.Action) (bool, runtime.Object, error) {
		if e, ok := action.(k8stesting.CreateAction).GetObject().(*corev1.Event); ok {
			r.mu.Lock()
			r.messages[e.Name] = e.Message
			r.events = append(r.events, event{e.Type, e.Reason, e.Message})
			r.mu.Unlock()
		}
		return false, nil, nil
	})
	kube.PrependReactor("patch", "events", func(action k8stesting.Action) (bool, runtime.Object, error) {
		p := action.(k8stesting.PatchAction)
		var patch struct {
			Message string `json:"message"`
			Type    string `json:"type"`
			Reason  string `json:"reason"`
		}
		_ = json.Unmarshal(p.GetPatch(), &patch)
		obj, err := kube.Tracker().Get(corev1.SchemeGroupVersion.WithResource("events"), p.GetNamespace(), p.GetName())
		r.mu.Lock()
		defer r.mu.Unlock()
		if patch.Message != "" {
			r.messages[p.GetName()] = patch.Message
		}
		if e, ok := obj.(*corev1.Event); ok && err == nil {
			r.events = append(r.events, event{e.Type, e.Reason, r.messages[p.GetName()]})
		}
		return false, nil, nil
	})
}

// markReady stands in for kube-controller-manager: every Deployment Flagger or the lab writes
// is rolled out at once, all replicas updated and available.
func markReady(kube *kubefake.Clientset) {
	kube.PrependReactor("*", "deployments", func(action k8stesting.Action) (bool, runtime.Object, error) {
		var obj runtime.Object
		switch a := action.(type) {
		case k8stesting.CreateAction:
			obj = a.GetObject()
		case k8stesting.UpdateAction:
			obj = a.GetObject()
		}
		if d, ok := obj.(*appsv1.Deployment); ok {
			replicas := int32(1)
			if d.Spec.Replicas != nil {
				replicas = *d.Spec.Replicas
			}
			d.Status = appsv1.DeploymentStatus{
				ObservedGeneration: d.Generation,
				Replicas:           replicas, UpdatedReplicas: replicas, ReadyReplicas: replicas, AvailableReplicas: replicas,
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"},
					{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				},
			}
		}
		return false, nil, nil
	})
}

// metrics is the scripted Prometheus: what Istio's telemetry would report for the revision under
// analysis. The failing revision answers every request with 500 (success rate 0 %); any other
// answers all (100 %); requests take 50 ms either way.
type metrics struct {
	kube *kubefake.Clientset
}

func (m metrics) IsOnline() (bool, error) { return true, nil }

func (m metrics) RunQuery(query string) (float64, error) {
	if strings.Contains(query, "histogram_quantile") {
		return 50, nil
	}
	d, err := m.kube.AppsV1().Deployments(namespace).Get(context.Background(), "catalog", metav1.GetOptions{})
	if err != nil {
		return 0, err
	}
	if failing(d) {
		return 0, nil
	}
	return 100, nil
}

// failing is catalog-deployment-failing.yaml's pod spec: it replaces the image's entrypoint.
func failing(d *appsv1.Deployment) bool {
	for _, c := range d.Spec.Template.Spec.Containers {
		if len(c.Command) > 0 {
			return true
		}
	}
	return false
}

func readYAML(dir, file string, kind string, into any) error {
	raw, err := os.ReadFile(filepath.Join(dir, file))
	if err != nil {
		return usageError{fmt.Sprintf("cannot read manifest %s: %v", file, err)}
	}
	for _, doc := range strings.Split(string(raw), "\n---") {
		var head struct {
			Kind string `json:"kind"`
		}
		if err := yaml.Unmarshal([]byte(doc), &head); err != nil {
			return usageError{fmt.Sprintf("%s: %v", file, err)}
		}
		if head.Kind == kind {
			if err := yaml.UnmarshalStrict([]byte(doc), into); err != nil {
				return usageError{fmt.Sprintf("%s: %s: %v", file, kind, err)}
			}
			return nil
		}
	}
	return usageError{fmt.Sprintf("%s has no %s", file, kind)}
}

// timeline is one revision's golden: what Flagger wrote from the revision's apply to its end.
type timeline struct {
	Name     string `json:"-"`
	Flagger  string `json:"flagger"`
	Canary   string `json:"canary"`
	Revision string `json:"revision"`
	// Metrics is what the scripted Prometheus answered for this revision.
	Metrics  map[string]float64 `json:"metrics,omitempty"`
	Final    string             `json:"final"`
	Phases   []string           `json:"phases"`
	Weights  []int              `json:"weights"`
	Statuses []status           `json:"statuses"`
	Events   []event            `json:"events"`
}

func run(manifestDir, outDir string, deadline time.Duration) error {
	if manifestDir == "" || outDir == "" {
		return usageError{"-manifests and -out are required (see oracles/flagger/README.md)"}
	}
	var cd flaggerv1.Canary
	var v1, bad, good appsv1.Deployment
	for _, m := range []struct {
		file, kind string
		into       any
	}{
		{"ch5/catalog-canary.yaml", "Canary", &cd},
		{"apps/catalog.yaml", "Deployment", &v1},
		{"ch5/catalog-deployment-failing.yaml", "Deployment", &bad},
		{"ch5/catalog-deployment-v2.yaml", "Deployment", &good},
	} {
		if err := readYAML(manifestDir, m.file, m.kind, m.into); err != nil {
			return err
		}
	}

	kube := kubefake.NewSimpleClientset(&v1)
	fl := flaggerfake.NewSimpleClientset(&cd)
	rec := &recorder{messages: map[string]string{}}
	rec.watchActions(kube, fl)
	markReady(kube)
	// The reactor sees what the lab applies, too: the initial Deployment went in before it.
	if _, err := kube.AppsV1().Deployments(namespace).Update(context.Background(), &v1, metav1.UpdateOptions{}); err != nil {
		return err
	}

	stop := make(chan struct{})
	defer close(stop)
	logger := zap.NewNop().Sugar()
	factory := informers.NewSharedInformerFactory(fl, 30*time.Second)
	infos := controller.Informers{
		CanaryInformer: factory.Flagger().V1beta1().Canaries(),
		MetricInformer: factory.Flagger().V1beta1().MetricTemplates(),
		AlertInformer:  factory.Flagger().V1beta1().AlertProviders(),
	}
	for _, inf := range []cache.SharedIndexInformer{infos.CanaryInformer.Informer(), infos.MetricInformer.Informer(), infos.AlertInformer.Informer()} {
		go inf.Run(stop)
		if !cache.WaitForCacheSync(stop, inf.HasSynced) {
			return errors.New("informer cache did not sync")
		}
	}
	// Flagger's defaults (cmd/flagger/main.go at v1.36.1): selector labels app, name,
	// app.kubernetes.io/name; config tracking on; control loop every 10 s; mesh provider istio.
	labels := []string{"app", "name", "app.kubernetes.io/name"}
	tracker := &canary.ConfigTracker{Logger: logger, KubeClient: kube, FlaggerClient: fl}
	ctrl := controller.NewController(kube, fl, infos, 10*time.Second, logger, &notifier.NopNotifier{},
		canary.NewFactory(kube, fl, tracker, labels, []string{""}, logger),
		router.NewFactory(&restclient.Config{}, kube, fl, "nginx.ingress.kubernetes.io", "", logger, fl, true),
		&observers.Factory{Client: metrics{kube}},
		flaggerv1.IstioProvider, flaggerVersion, "", "", false)
	go func() { _ = ctrl.Run(2, stop) }()

	reach := func(phase flaggerv1.CanaryPhase, from int) (int, error) {
		end := time.Now().Add(deadline)
		for time.Now().Before(end) {
			statuses, _ := rec.snapshot()
			for i := from; i < len(statuses); i++ {
				if statuses[i].Phase == string(phase) {
					return i, nil
				}
			}
			time.Sleep(100 * time.Millisecond)
		}
		statuses, _ := rec.snapshot()
		last := "none"
		if n := len(statuses); n > 0 {
			last = statuses[n-1].Phase
		}
		return 0, fmt.Errorf("canary never reached %s within %s (last phase %s)", phase, deadline, last)
	}
	apply := func(d appsv1.Deployment) error {
		cur, err := kube.AppsV1().Deployments(namespace).Get(context.Background(), d.Name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		cur.Spec = d.Spec
		_, err = kube.AppsV1().Deployments(namespace).Update(context.Background(), cur, metav1.UpdateOptions{})
		return err
	}

	// The Canary as applied, with catalog v1: Flagger creates catalog-primary and the Services.
	initEnd, err := reach(flaggerv1.CanaryPhaseInitialized, 0)
	if err != nil {
		return err
	}
	events, err := awaitEvent(rec, 0, "Initialization done!", deadline)
	if err != nil {
		return err
	}
	statuses, _ := rec.snapshot()
	out := []timeline{summarize(timeline{
		Name: "initialize", Revision: "apps/catalog.yaml", Final: string(flaggerv1.CanaryPhaseInitialized),
		Statuses: statuses[:initEnd+1], Events: events,
	})}

	// Then the two revisions, in the scenario's order: the failing one, then v2.
	for _, v := range []struct {
		name, file, want, terminal string
		deployment                 appsv1.Deployment
	}{
		{"rollback", "ch5/catalog-deployment-failing.yaml", string(flaggerv1.CanaryPhaseFailed), "Canary failed!", bad},
		{"success", "ch5/catalog-deployment-v2.yaml", string(flaggerv1.CanaryPhaseSucceeded), "Promotion completed!", good},
	} {
		// Flagger acts on ticks at least 10 s apart, so what it wrote before the apply has been
		// delivered by now and what follows belongs to this revision.
		statuses, events := rec.snapshot()
		fromStatus, fromEvent := len(statuses), len(events)
		if err := apply(v.deployment); err != nil {
			return err
		}
		end, err := reach(flaggerv1.CanaryPhase(v.want), fromStatus)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		// The final phase's event is recorded just before the phase; wait until it is delivered.
		events, err = awaitEvent(rec, fromEvent, v.terminal, deadline)
		if err != nil {
			return fmt.Errorf("%s: %w", v.name, err)
		}
		statuses, _ = rec.snapshot()
		rate := 100.0
		if failing(&v.deployment) {
			rate = 0
		}
		out = append(out, summarize(timeline{
			Name: v.name, Revision: v.file, Final: v.want,
			Metrics:  map[string]float64{"request-success-rate": rate, "request-duration": 50},
			Statuses: statuses[fromStatus : end+1], Events: events[fromEvent:],
		}))
	}

	dir := filepath.Join(outDir, "flagger-canary")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, t := range out {
		t.Flagger, t.Canary = flaggerVersion, namespace+"/"+cd.Name
		b, err := json.MarshalIndent(t, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(filepath.Join(dir, t.Name+".json"), append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// summarize adds the phase runs and the canaryWeight steps (while Progressing, above 0) that
// the suite's timeline judge reads.
func summarize(t timeline) timeline {
	for _, s := range t.Statuses {
		if n := len(t.Phases); n == 0 || t.Phases[n-1] != s.Phase {
			t.Phases = append(t.Phases, s.Phase)
		}
		if s.Phase == string(flaggerv1.CanaryPhaseProgressing) && s.CanaryWeight > 0 {
			if n := len(t.Weights); n == 0 || t.Weights[n-1] != s.CanaryWeight {
				t.Weights = append(t.Weights, s.CanaryWeight)
			}
		}
	}
	if t.Weights == nil {
		t.Weights = []int{}
	}
	return t
}

func awaitEvent(rec *recorder, from int, prefix string, deadline time.Duration) ([]event, error) {
	end := time.Now().Add(deadline)
	for time.Now().Before(end) {
		_, events := rec.snapshot()
		for _, e := range events[from:] {
			if strings.Contains(e.Message, prefix) {
				return events, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, fmt.Errorf("no event %q within %s", prefix, deadline)
}
