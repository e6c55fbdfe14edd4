package main

import (
	"fmt"
	"hash/fnv"
	"sort"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	discoveryv1 "k8s.io/api/discovery/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

// The lab's cluster as `up` builds it (cluster/istio-operator.ts): the ingress gateway in
// istio-system, its Service NodePort with http2 80 -> 8080 and https 443 -> 8443.
// The apps' namespace is the step's own (the book's istioinaction, or the namespace `run
// --namespace` moves them to): see labNamespaceOf.
const (
	gatewayNamespace = "istio-system"
	gatewayName      = "istio-ingressgateway"
)

var gatewayLabels = map[string]string{"istio": "ingressgateway", "app": "istio-ingressgateway"}

// pod is a running, ready pod of a Deployment (one replica, as in the lab).
type pod struct {
	Name, Namespace, IP, ServiceAccount string
	Labels                              map[string]string
	Spec                                corev1.PodSpec
}

// lab is the Kubernetes side of one step: namespaces, pods, services and their endpoints.
type lab struct {
	namespace string
	pods      []pod
	services  []*corev1.Service
}

// labNamespaceOf is the one namespace a step's Deployments live in: the lab's, labelled for
// sidecar injection as `up` (or the user, with --namespace) labels it.
func labNamespaceOf(objs []object) (string, error) {
	namespace := ""
	for _, o := range objs {
		if o.Kind != "Deployment" {
			continue
		}
		if o.Namespace == "" {
			return "", fmt.Errorf("deployment %s has no namespace", o.Name)
		}
		if namespace != "" && o.Namespace != namespace {
			return "", fmt.Errorf("the step's Deployments are in namespaces %s and %s; the oracle models one lab namespace", namespace, o.Namespace)
		}
		namespace = o.Namespace
	}
	if namespace == "" {
		return "", fmt.Errorf("the step deploys no app: no lab namespace")
	}
	return namespace, nil
}

// stableIP gives an object the same address in every step and every run, whatever else is
// deployed: a hash of its namespace and name into a /16 (collisions are refused).
func stableIP(prefix, namespace, name string) string {
	h := fnv.New32a()
	_, _ = h.Write([]byte(namespace + "/" + name))
	v := h.Sum32()
	return fmt.Sprintf("%s.%d.%d", prefix, (v>>8)%250+1, v%250+2)
}

func buildLab(objs []object) (*lab, error) {
	namespace, err := labNamespaceOf(objs)
	if err != nil {
		return nil, err
	}
	l := &lab{namespace: namespace}
	for _, o := range objs {
		switch o.Kind {
		case "Deployment":
			var d appsv1.Deployment
			if err := yaml.Unmarshal(o.YAML, &d); err != nil {
				return nil, fmt.Errorf("deployment %s: %v", o.Name, err)
			}
			l.pods = append(l.pods, pod{
				Name: d.Name + "-0", Namespace: d.Namespace, IP: stableIP("10.244", d.Namespace, d.Name),
				ServiceAccount: d.Spec.Template.Spec.ServiceAccountName,
				Labels:         d.Spec.Template.Labels, Spec: d.Spec.Template.Spec,
			})
		case "Service":
			var s corev1.Service
			if err := yaml.Unmarshal(o.YAML, &s); err != nil {
				return nil, fmt.Errorf("service %s: %v", o.Name, err)
			}
			l.services = append(l.services, &s)
		}
	}
	l.pods = append(l.pods, pod{
		Name: gatewayName + "-0", Namespace: gatewayNamespace, IP: stableIP("10.244", gatewayNamespace, gatewayName),
		ServiceAccount: "istio-ingressgateway-service-account", Labels: gatewayLabels,
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "istio-proxy",
			Ports: []corev1.ContainerPort{
				{Name: "http2", ContainerPort: 8080}, {Name: "https", ContainerPort: 8443}, {Name: "http-envoy-prom", ContainerPort: 15090},
			},
		}}},
	})
	l.services = append(l.services, &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: gatewayName, Namespace: gatewayNamespace, Labels: gatewayLabels},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: gatewayLabels,
			Ports: []corev1.ServicePort{
				{Name: "status-port", Port: 15021, TargetPort: intstr.FromInt32(15021), Protocol: corev1.ProtocolTCP, NodePort: 30021},
				{Name: "http2", Port: 80, TargetPort: intstr.FromInt32(8080), Protocol: corev1.ProtocolTCP, NodePort: 30000},
				{Name: "https", Port: 443, TargetPort: intstr.FromInt32(8443), Protocol: corev1.ProtocolTCP, NodePort: 30005},
			},
		},
	})
	seen := map[string]string{}
	for _, s := range l.services {
		s.Spec.ClusterIP = stableIP("10.96", s.Namespace, s.Name)
		s.Spec.ClusterIPs = []string{s.Spec.ClusterIP}
		if other, dup := seen[s.Spec.ClusterIP]; dup {
			return nil, fmt.Errorf("services %s and %s/%s hash to the same address; change stableIP", other, s.Namespace, s.Name)
		}
		seen[s.Spec.ClusterIP] = s.Namespace + "/" + s.Name
	}
	for _, p := range l.pods {
		if other, dup := seen[p.IP]; dup {
			return nil, fmt.Errorf("pods %s and %s/%s hash to the same address; change stableIP", other, p.Namespace, p.Name)
		}
		seen[p.IP] = p.Namespace + "/" + p.Name
	}
	return l, nil
}

func (p pod) find(port intstr.IntOrString) (int32, bool) {
	if port.Type == intstr.Int {
		return port.IntVal, true
	}
	for _, c := range p.Spec.Containers {
		for _, cp := range c.Ports {
			if cp.Name == port.StrVal {
				return cp.ContainerPort, true
			}
		}
	}
	return 0, false
}

func selects(selector, labels map[string]string) bool {
	if len(selector) == 0 {
		return false
	}
	for k, v := range selector {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// kubeObjects are the API objects the fake client serves: what kube-controller-manager and the
// kubelet would have made of the manifests (running, ready pods with IPs; one EndpointSlice per
// Service).
func (l *lab) kubeObjects() []runtime.Object {
	yes := true
	out := []runtime.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: gatewayNamespace}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: l.namespace, Labels: map[string]string{"istio-injection": "enabled"}}},
	}
	for _, p := range l.pods {
		out = append(out, &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Name: p.Name, Namespace: p.Namespace, Labels: p.Labels},
			Spec:       withServiceAccount(p.Spec, p.ServiceAccount),
			Status: corev1.PodStatus{
				Phase:      corev1.PodRunning,
				PodIP:      p.IP,
				PodIPs:     []corev1.PodIP{{IP: p.IP}},
				HostIP:     "172.18.0.2",
				Conditions: []corev1.PodCondition{{Type: corev1.PodReady, Status: corev1.ConditionTrue}},
			},
		})
	}
	for _, s := range l.services {
		out = append(out, s)
		slice := &discoveryv1.EndpointSlice{
			ObjectMeta: metav1.ObjectMeta{
				Name: s.Name + "-oracle", Namespace: s.Namespace,
				Labels: map[string]string{discoveryv1.LabelServiceName: s.Name},
			},
			AddressType: discoveryv1.AddressTypeIPv4,
		}
		for _, sp := range s.Spec.Ports {
			name, protocol := sp.Name, sp.Protocol
			var target int32
			for _, p := range l.pods {
				if p.Namespace == s.Namespace && selects(s.Spec.Selector, p.Labels) {
					if t, ok := p.find(sp.TargetPort); ok {
						target = t
					}
				}
			}
			if target == 0 {
				target = sp.Port
			}
			slice.Ports = append(slice.Ports, discoveryv1.EndpointPort{Name: &name, Port: &target, Protocol: &protocol})
		}
		for _, p := range l.pods {
			if p.Namespace == s.Namespace && selects(s.Spec.Selector, p.Labels) {
				slice.Endpoints = append(slice.Endpoints, discoveryv1.Endpoint{
					Addresses:  []string{p.IP},
					Conditions: discoveryv1.EndpointConditions{Ready: &yes, Serving: &yes},
					TargetRef:  &corev1.ObjectReference{Kind: "Pod", Name: p.Name, Namespace: p.Namespace},
				})
			}
		}
		sort.Slice(slice.Endpoints, func(i, j int) bool { return slice.Endpoints[i].Addresses[0] < slice.Endpoints[j].Addresses[0] })
		out = append(out, slice)
	}
	return out
}

func withServiceAccount(spec corev1.PodSpec, sa string) corev1.PodSpec {
	spec.ServiceAccountName = sa
	return spec
}
