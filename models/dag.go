package models

import (
	"fmt"
	"sort"
	"strings"

	wh "github.com/kam-analytics/kam/ingest/warehouse"
)

func layerIndex(l string) int {
	for i, v := range Layers {
		if v == l {
			return i
		}
	}
	return -1
}

// Order checks the graph (every ref exists, layers only read earlier
// layers, no cycles, marts state a grain) and returns the models in build
// order. Ties are broken by name so the order is the same every run.
func Order(models []*Model) ([]*Model, error) {
	byName := map[string]*Model{}
	for _, m := range models {
		if prev, ok := byName[m.Name]; ok {
			return nil, fmt.Errorf("model %s is defined twice: %s and %s", m.Name, prev.Path, m.Path)
		}
		byName[m.Name] = m
	}
	deps := map[string][]string{}
	for _, m := range models {
		if m.Layer == "marts" && m.Grain == "" {
			return nil, fmt.Errorf("%s: a mart must state its grain (-- @grain: one row per ...)", m.Path)
		}
		for _, ref := range m.Refs {
			schema, name, _ := strings.Cut(ref, ".")
			if schema == "main" {
				if m.Layer != "staging" {
					return nil, fmt.Errorf("%s: reads %s; only staging reads the canonical tables", m.Path, ref)
				}
				if _, ok := wh.Lookup(name); !ok {
					return nil, fmt.Errorf("%s: reads %s, which is not a canonical entity", m.Path, ref)
				}
				continue
			}
			if m.Layer == "staging" {
				return nil, fmt.Errorf("%s: reads %s; staging reads only the canonical tables (main.*)", m.Path, ref)
			}
			dep, ok := byName[name]
			if !ok || dep.Layer != schema {
				return nil, fmt.Errorf("%s: reads %s, which is no model", m.Path, ref)
			}
			if layerIndex(dep.Layer) > layerIndex(m.Layer) {
				return nil, fmt.Errorf("%s: reads %s from a later layer", m.Path, ref)
			}
			if dep.Name != m.Name {
				deps[m.Name] = append(deps[m.Name], dep.Name)
			}
		}
	}
	// Kahn's algorithm with a sorted ready list.
	indeg := map[string]int{}
	users := map[string][]string{}
	for _, m := range models {
		indeg[m.Name] += 0
		for _, d := range deps[m.Name] {
			indeg[m.Name]++
			users[d] = append(users[d], m.Name)
		}
	}
	var ready []string
	for n, d := range indeg {
		if d == 0 {
			ready = append(ready, n)
		}
	}
	var order []*Model
	for len(ready) > 0 {
		sort.Slice(ready, func(i, j int) bool {
			a, b := byName[ready[i]], byName[ready[j]]
			if la, lb := layerIndex(a.Layer), layerIndex(b.Layer); la != lb {
				return la < lb
			}
			return a.Name < b.Name
		})
		n := ready[0]
		ready = ready[1:]
		order = append(order, byName[n])
		for _, u := range users[n] {
			indeg[u]--
			if indeg[u] == 0 {
				ready = append(ready, u)
			}
		}
	}
	if len(order) != len(models) {
		var stuck []string
		for n, d := range indeg {
			if d > 0 {
				stuck = append(stuck, n)
			}
		}
		sort.Strings(stuck)
		return nil, fmt.Errorf("models depend on each other in a cycle: %s", strings.Join(stuck, ", "))
	}
	return order, nil
}
