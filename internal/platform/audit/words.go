package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"grassroots/internal/platform/db"
	"grassroots/internal/platform/i18n"
)

// The audit log is read by auditors, not programmers: an entry's action,
// its object and its detail are shown in words. Each module registers, in
// its messages, "audit.action.<action>" for every action it records and
// "audit.entity.<entity>" for every kind of record it names; the fields of
// details are "audit.field.<key>", and the values of coded fields (states,
// roles, types) are words through ValueWords.

// ActionKey is the message key of an action's words.
func ActionKey(action string) string { return "audit.action." + action }

// EntityKey is the message key of the words for a kind of record.
func EntityKey(entity string) string { return "audit.entity." + entity }

// FieldKey is the message key of a detail field's words.
func FieldKey(field string) string { return "audit.field." + field }

// ActionWords is the action in lang; an action without words shows as
// "other action" with its code, so that nothing is hidden.
func ActionWords(lang i18n.Lang, action string) string {
	if i18n.Has(ActionKey(action)) {
		return i18n.T(lang, ActionKey(action))
	}
	return i18n.T(lang, "audit.other_action", action)
}

// EntityWords is the kind of record in lang ("" for none).
func EntityWords(lang i18n.Lang, entity string) string {
	if entity == "" {
		return ""
	}
	if i18n.Has(EntityKey(entity)) {
		return i18n.T(lang, EntityKey(entity))
	}
	return entity
}

var (
	valueMu    sync.RWMutex
	valueWords = map[string]string{} // field (or entity.field) → message key prefix
)

// ValueWords says the values of a coded detail field are words: the value
// v of field is shown as the message prefix+v. entity narrows it to the
// records of one kind ("" for every kind); the narrower one wins.
func ValueWords(entity, field, prefix string) {
	valueMu.Lock()
	defer valueMu.Unlock()
	valueWords[entity+"."+field] = prefix
}

func valuePrefix(entity, field string) string {
	valueMu.RLock()
	defer valueMu.RUnlock()
	if p, ok := valueWords[entity+"."+field]; ok {
		return p
	}
	return valueWords["."+field]
}

// Change is one field of an entry's detail in words: a value it was set
// to (To), or a change from a value to another (From, To).
type Change struct {
	Field   string
	From    string
	To      string
	Changed bool // the detail gave a value before and after
}

// Changes puts an entry's detail in words, field by field in the order of
// their keys; a before-and-after pair ([old, new]) that did not change is
// left out.
func Changes(lang i18n.Lang, entity, detail string) []Change {
	var m map[string]json.RawMessage
	if err := json.Unmarshal([]byte(detail), &m); err != nil || len(m) == 0 {
		if strings.TrimSpace(detail) == "" || detail == "{}" || detail == "null" {
			return nil
		}
		return []Change{{Field: i18n.T(lang, "audit.field.detail"), To: detail}}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var out []Change
	for _, k := range keys {
		field := k
		if i18n.Has(FieldKey(k)) {
			field = i18n.T(lang, FieldKey(k))
		}
		prefix := valuePrefix(entity, k)
		var pair []json.RawMessage
		if json.Unmarshal(m[k], &pair) == nil && len(pair) == 2 && isScalarPair(pair) {
			from, to := valueText(lang, prefix, pair[0]), valueText(lang, prefix, pair[1])
			if from == to {
				continue
			}
			out = append(out, Change{Field: field, From: from, To: to, Changed: true})
			continue
		}
		out = append(out, Change{Field: field, To: valueText(lang, prefix, m[k])})
	}
	return out
}

// isScalarPair reports whether a two-element array is a before and after
// (two values of the same shape), not a list that happens to hold two.
func isScalarPair(pair []json.RawMessage) bool {
	kind := func(r json.RawMessage) byte {
		s := strings.TrimSpace(string(r))
		if s == "" || s == "null" {
			return 'n'
		}
		return s[0]
	}
	a, b := kind(pair[0]), kind(pair[1])
	return a == b || a == 'n' || b == 'n'
}

// valueText is one detail value in words: yes or no for a boolean, the
// value's words for a coded field, lists joined with 、, objects as
// "field: value" pairs.
func valueText(lang i18n.Lang, prefix string, raw json.RawMessage) string {
	var v any
	if err := json.Unmarshal(raw, &v); err != nil {
		return string(raw)
	}
	return anyText(lang, prefix, v)
}

func anyText(lang i18n.Lang, prefix string, v any) string {
	switch x := v.(type) {
	case nil:
		return i18n.T(lang, "audit.none")
	case bool:
		if x {
			return i18n.T(lang, "audit.yes")
		}
		return i18n.T(lang, "audit.no")
	case string:
		if x == "" {
			return i18n.T(lang, "audit.none")
		}
		if prefix != "" && i18n.Has(prefix+x) {
			return i18n.T(lang, prefix+x)
		}
		return x
	case float64:
		return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", x), "0"), ".")
	case []any:
		if len(x) == 0 {
			return i18n.T(lang, "audit.none")
		}
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = anyText(lang, prefix, e)
		}
		sep := "、"
		if lang == i18n.En {
			sep = ", "
		}
		return strings.Join(parts, sep)
	case map[string]any:
		// An object's keys are fields, or, for a field whose values are
		// words (counts by unit type), the values themselves.
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		parts := make([]string, len(keys))
		for i, k := range keys {
			field := k
			switch {
			case prefix != "" && i18n.Has(prefix+k):
				field = i18n.T(lang, prefix+k)
			case i18n.Has(FieldKey(k)):
				field = i18n.T(lang, FieldKey(k))
			}
			parts[i] = field + " " + anyText(lang, valuePrefix("", k), x[k])
		}
		sep := "，"
		if lang == i18n.En {
			sep = ", "
		}
		return strings.Join(parts, sep)
	}
	return fmt.Sprint(v)
}

// Namer names records of one kind by their ids, for the log's object
// column; ids it does not know are left out of the answer.
type Namer func(ctx context.Context, ids []string) (map[string]string, error)

// Names is where the modules say how their records are named in the log:
// the module that owns a kind of record adds its Namer when it opens.
type Names struct {
	mu     sync.RWMutex
	namers map[string]Namer
}

// NewNames returns an empty set of namers.
func NewNames() *Names { return &Names{namers: map[string]Namer{}} }

// Add says how records of entity are named.
func (n *Names) Add(entity string, f Namer) {
	if n == nil {
		return // opened without an audit page (a module's own tests)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	n.namers[entity] = f
}

// Of names the objects of rows: entity → id → name, for the kinds that
// have a namer.
func (n *Names) Of(ctx context.Context, rows []Row) (map[string]map[string]string, error) {
	ids := map[string][]string{}
	seen := map[string]bool{}
	for _, r := range rows {
		if r.EntityID == "" || seen[r.Entity+"/"+r.EntityID] {
			continue
		}
		seen[r.Entity+"/"+r.EntityID] = true
		ids[r.Entity] = append(ids[r.Entity], r.EntityID)
	}
	out := map[string]map[string]string{}
	if n == nil {
		return out, nil
	}
	for entity, list := range ids {
		n.mu.RLock()
		f := n.namers[entity]
		n.mu.RUnlock()
		if f == nil {
			continue
		}
		names, err := f(ctx, list)
		if err != nil {
			return nil, err
		}
		out[entity] = names
	}
	return out, nil
}

func init() {
	i18n.Register(i18n.Catalog{
		"audit.other_action": {Zh: "其他操作（%s）", En: "Other action (%s)"},
		"audit.yes":          {Zh: "是", En: "yes"},
		"audit.no":           {Zh: "否", En: "no"},
		"audit.none":         {Zh: "无", En: "none"},
		"audit.field.detail": {Zh: "说明", En: "Detail"},
	})
}

// NamesFrom is a Namer that runs query, a SELECT of (id, name) whose
// WHERE clause holds "id IN (%s)" for the ids, on q; ids that are not
// whole numbers are skipped. The module that owns the table writes the
// query, so that no other module names its columns.
func NamesFrom(q db.Querier, query string) Namer {
	return func(ctx context.Context, ids []string) (map[string]string, error) {
		args := make([]any, 0, len(ids))
		for _, id := range ids {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				args = append(args, n)
			}
		}
		out := map[string]string{}
		if len(args) == 0 {
			return out, nil
		}
		err := db.Each(ctx, q, func(sc db.Scanner) error {
			var id int64
			var name string
			err := sc.Scan(&id, &name)
			out[strconv.FormatInt(id, 10)] = name
			return err
		}, fmt.Sprintf(query, db.Placeholders(len(args))), args...)
		if err != nil {
			return nil, err
		}
		return out, nil
	}
}
