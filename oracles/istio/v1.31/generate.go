package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	admin "github.com/envoyproxy/go-control-plane/envoy/admin/v3"
	cluster "github.com/envoyproxy/go-control-plane/envoy/config/cluster/v3"
	listener "github.com/envoyproxy/go-control-plane/envoy/config/listener/v3"
	route "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	hcm "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/http_connection_manager/v3"
	tcp "github.com/envoyproxy/go-control-plane/envoy/extensions/filters/network/tcp_proxy/v3"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"

	meshconfig "istio.io/api/mesh/v1alpha1"
	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/test/xds"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/mesh"
	"istio.io/istio/pkg/log"
	"istio.io/istio/pkg/test"
)

// proxyIstioVersion is what the proxies report (ISTIO_VERSION): the pinned line's.
const proxyIstioVersion = istioLine + ".0"

// configEpoch is the creation time of the first applied Istio object; each later one is a
// second later, so Istio's oldest-first merge rules see the apply order, reproducibly.
var configEpoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// The proxies the suite reads, and the route configuration it inspects on each: the gateway's
// listener on target port 8080, the sidecars' outbound HTTP port 80.
// A proxy without a namespace is an app's sidecar, in the lab's namespace.
var proxies = []struct {
	file, namespace, deployment, route string
	router                             bool
}{
	{"ingressgateway", gatewayNamespace, gatewayName, "http.8080", true},
	{"webapp", "", "webapp", "80", false},
	{"forum", "", "forum", "80", false},
}

type dump struct {
	proxy string
	json  []byte
}

// quietIstioLogs silences pilot's own logging: the fake API server lacks things a real cluster
// has (CRD version annotations, IngressClasses) and pilot says so at error level on every step.
// Failures that matter reach the oracle through the Failer (test.Wrap) and fail the run.
func quietIstioLogs(verbose bool) {
	o := log.DefaultOptions()
	level := log.NoneLevel
	if verbose {
		level = log.WarnLevel
	}
	o.SetDefaultOutputLevel(log.OverrideScopeName, level)
	_ = log.Configure(o)
}

func meshConfig(policy string) *meshconfig.MeshConfig {
	m := mesh.DefaultMeshConfig()
	// As the lab installs it (cluster/istio-operator.ts).
	m.AccessLogFile = "/dev/stdout"
	m.OutboundTrafficPolicy = &meshconfig.MeshConfig_OutboundTrafficPolicy{
		Mode: meshconfig.MeshConfig_OutboundTrafficPolicy_Mode(meshconfig.MeshConfig_OutboundTrafficPolicy_Mode_value[policy]),
	}
	return m
}

var kubeKinds = map[string]bool{"Deployment": true, "Service": true, "ServiceAccount": true}

func istioConfigs(objs []object) ([]config.Config, error) {
	var out []config.Config
	for _, o := range objs {
		group := strings.SplitN(o.APIVersion, "/", 2)[0]
		if kubeKinds[o.Kind] && !strings.HasSuffix(group, "istio.io") {
			continue
		}
		if !strings.HasSuffix(group, ".istio.io") {
			return nil, fmt.Errorf("%s %s/%s: the oracle models Istio objects and the apps' Deployments, Services and ServiceAccounts only", o.Kind, o.Namespace, o.Name)
		}
		parsed, _, err := crd.ParseInputs(string(o.YAML))
		if err != nil {
			return nil, fmt.Errorf("%s %s/%s: %v", o.Kind, o.Namespace, o.Name, err)
		}
		if len(parsed) != 1 {
			return nil, fmt.Errorf("%s %s/%s: Istio did not recognise it (kind or version unknown to this Istio)", o.Kind, o.Namespace, o.Name)
		}
		c := parsed[0]
		// As istiod's Kubernetes config client does (pilot/pkg/config/kube/crdclient/client.go
		// sets Domain to the domain suffix): short hosts such as "catalog" resolve to
		// catalog.<namespace>.svc.cluster.local.
		c.Domain = "cluster.local"
		c.CreationTimestamp = configEpoch.Add(time.Duration(o.Order) * time.Second)
		out = append(out, c)
	}
	return out, nil
}

// generate runs Istio's control plane over one step and returns each present proxy's dump.
func generate(objs []object, policy string) ([]dump, error) {
	l, err := buildLab(objs)
	if err != nil {
		return nil, err
	}
	configs, err := istioConfigs(objs)
	if err != nil {
		return nil, err
	}
	var out []dump
	err = test.Wrap(func(t test.Failer) {
		s := xds.NewFakeDiscoveryServer(t, xds.FakeOptions{
			Configs:           configs,
			KubernetesObjects: l.kubeObjects(),
			MeshConfig:        meshConfig(policy),
		})
		for _, px := range proxies {
			namespace := px.namespace
			if namespace == "" {
				namespace = l.namespace
			}
			p, ok := l.podOf(namespace, px.deployment)
			if !ok {
				continue
			}
			proxy := s.SetupProxy(newProxy(p, px.router))
			listeners := s.Listeners(proxy)
			routes := s.RoutesFromListeners(proxy, listeners)
			clusters := s.Clusters(proxy)
			b, err := configDump(listeners, routes, clusters, px.route)
			if err != nil {
				t.Fatal(err)
			}
			out = append(out, dump{px.file, b})
		}
	})
	return out, err
}

func (l *lab) podOf(namespace, deployment string) (pod, bool) {
	for _, p := range l.pods {
		if p.Namespace == namespace && p.Name == deployment+"-0" {
			return p, true
		}
	}
	return pod{}, false
}

func newProxy(p pod, router bool) *model.Proxy {
	typ := model.SidecarProxy
	if router {
		typ = model.Router
	}
	return &model.Proxy{
		Type:            typ,
		ID:              p.Name + "." + p.Namespace,
		IPAddresses:     []string{p.IP},
		ConfigNamespace: p.Namespace,
		Labels:          p.Labels,
		Metadata: &model.NodeMetadata{
			Labels:         p.Labels,
			Namespace:      p.Namespace,
			ClusterID:      "Kubernetes",
			IstioVersion:   proxyIstioVersion,
			ServiceAccount: p.ServiceAccount,
			WorkloadName:   strings.TrimSuffix(p.Name, "-0"),
		},
	}
}

// configDump is what `pilot-agent request GET config_dump` prints, trimmed to what the suite
// reads: every cluster's name and discovery type; every listener's name and address and, but
// for virtualInbound, its filter chains reduced to where they send (reduceChains), which holds
// the virtual outbound listener's fallback; and the one route configuration the suite
// inspects, whole. Field names are the proto names (snake_case),
// as Envoy's admin prints them; whitespace is normalised (protojson's is randomised on purpose).
func configDump(listeners []*listener.Listener, routes []*route.RouteConfiguration, clusters []*cluster.Cluster, routeName string) ([]byte, error) {
	cd := &admin.ClustersConfigDump{}
	sort.Slice(clusters, func(i, j int) bool { return clusters[i].Name < clusters[j].Name })
	for _, c := range clusters {
		trimmed := &cluster.Cluster{Name: c.Name, ClusterDiscoveryType: c.ClusterDiscoveryType}
		a, err := anypb.New(trimmed)
		if err != nil {
			return nil, err
		}
		cd.DynamicActiveClusters = append(cd.DynamicActiveClusters, &admin.ClustersConfigDump_DynamicCluster{Cluster: a})
	}

	ld := &admin.ListenersConfigDump{}
	sort.Slice(listeners, func(i, j int) bool { return listeners[i].Name < listeners[j].Name })
	for _, l := range listeners {
		trimmed := &listener.Listener{Name: l.Name, Address: l.Address}
		// The inbound side (what reaches the proxy's own workload) is not what the suite reads.
		if l.Name != "virtualInbound" {
			chains, def, err := reduceChains(l)
			if err != nil {
				return nil, err
			}
			trimmed.FilterChains, trimmed.DefaultFilterChain = chains, def
		}
		a, err := anypb.New(trimmed)
		if err != nil {
			return nil, err
		}
		ld.DynamicListeners = append(ld.DynamicListeners, &admin.ListenersConfigDump_DynamicListener{
			Name:        l.Name,
			ActiveState: &admin.ListenersConfigDump_DynamicListenerState{Listener: a},
		})
	}

	rd := &admin.RoutesConfigDump{}
	for _, r := range routes {
		if r.Name != routeName {
			continue
		}
		a, err := anypb.New(r)
		if err != nil {
			return nil, err
		}
		rd.DynamicRouteConfigs = append(rd.DynamicRouteConfigs, &admin.RoutesConfigDump_DynamicRouteConfig{RouteConfig: a})
	}
	if len(rd.DynamicRouteConfigs) != 1 {
		return nil, fmt.Errorf("istio generated %d route configurations named %s", len(rd.DynamicRouteConfigs), routeName)
	}

	root := &admin.ConfigDump{}
	for _, m := range []proto.Message{cd, ld, rd} {
		a, err := anypb.New(m)
		if err != nil {
			return nil, err
		}
		root.Configs = append(root.Configs, a)
	}
	raw, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(root)
	if err != nil {
		return nil, err
	}
	var compact, pretty bytes.Buffer
	if err := json.Compact(&compact, raw); err != nil {
		return nil, err
	}
	if err := json.Indent(&pretty, compact.Bytes(), "", "  "); err != nil {
		return nil, err
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

// reduceChains keeps, of a listener's filter chains (and its default one), those that end in a
// TCP proxy or an HTTP connection manager, each reduced to where it sends: the TCP proxy's
// cluster (for the virtual outbound listener, where a connection to an address the mesh does
// not know goes: PassthroughCluster or BlackHoleCluster) or the route configuration the HTTP
// connection manager reads (RDS). Filter chain matches are kept whole: they say which chain a
// connection takes.
func reduceChains(l *listener.Listener) ([]*listener.FilterChain, *listener.FilterChain, error) {
	var chains []*listener.FilterChain
	for _, fc := range l.FilterChains {
		r, err := reduceChain(fc)
		if err != nil {
			return nil, nil, err
		}
		if r != nil {
			chains = append(chains, r)
		}
	}
	d, err := reduceChain(l.DefaultFilterChain)
	return chains, d, err
}

func reduceChain(fc *listener.FilterChain) (*listener.FilterChain, error) {
	if fc == nil {
		return nil, nil
	}
	for _, filter := range fc.Filters {
		typed := filter.GetTypedConfig()
		if typed == nil {
			continue
		}
		var reduced proto.Message
		switch {
		case typed.MessageIs(&tcp.TcpProxy{}):
			t := &tcp.TcpProxy{}
			if err := typed.UnmarshalTo(t); err != nil {
				return nil, err
			}
			reduced = &tcp.TcpProxy{StatPrefix: t.StatPrefix, ClusterSpecifier: t.ClusterSpecifier}
		case typed.MessageIs(&hcm.HttpConnectionManager{}):
			h := &hcm.HttpConnectionManager{}
			if err := typed.UnmarshalTo(h); err != nil {
				return nil, err
			}
			rds := h.GetRds()
			if rds == nil {
				continue
			}
			reduced = &hcm.HttpConnectionManager{
				StatPrefix:     h.StatPrefix,
				RouteSpecifier: &hcm.HttpConnectionManager_Rds{Rds: &hcm.Rds{RouteConfigName: rds.RouteConfigName}},
			}
		default:
			continue
		}
		a, err := anypb.New(reduced)
		if err != nil {
			return nil, err
		}
		return &listener.FilterChain{
			Name:             fc.Name,
			FilterChainMatch: fc.FilterChainMatch,
			Filters:          []*listener.Filter{{Name: filter.Name, ConfigType: &listener.Filter_TypedConfig{TypedConfig: a}}},
		}, nil
	}
	return nil, nil
}
