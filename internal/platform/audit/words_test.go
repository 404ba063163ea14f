package audit

import (
	"context"
	"strings"
	"testing"

	"grassroots/internal/platform/i18n"
)

func init() {
	i18n.Register(i18n.Catalog{
		"audit.action.thing.update": {Zh: "修改事物", En: "Changed a thing"},
		"audit.entity.thing":        {Zh: "事物", En: "Thing"},
		"audit.field.colour":        {Zh: "颜色", En: "Colour"},
		"test.colour.red":           {Zh: "红色", En: "red"},
		"test.colour.blue":          {Zh: "蓝色", En: "blue"},
	})
	ValueWords("thing", "colour", "test.colour.")
}

func TestActionAndEntityWords(t *testing.T) {
	if got := ActionWords(i18n.Zh, "thing.update"); got != "修改事物" {
		t.Errorf("action in words: %q", got)
	}
	if got := ActionWords(i18n.En, "thing.vanish"); got != "Other action (thing.vanish)" {
		t.Errorf("an action without words: %q", got)
	}
	if got := EntityWords(i18n.Zh, "thing"); got != "事物" {
		t.Errorf("entity in words: %q", got)
	}
}

func TestChangesInWords(t *testing.T) {
	cases := []struct {
		name, entity, detail, want string
	}{
		{"a change from one value to another", "thing", `{"colour":["red","blue"]}`, "颜色: 红色 → 蓝色"},
		{"an unchanged pair is left out", "thing", `{"colour":["red","red"],"name":["甲","乙"]}`, "名称: 甲 → 乙"},
		{"coded values only for their kind of record", "other", `{"colour":"red"}`, "颜色 = red"},
		{"booleans in words", "thing", `{"active":true,"verified":false}`, "启用 = 是; 已核实 = 否"},
		{"lists joined", "thing", `{"tags":["a","b","c"]}`, "关爱标签 = a、b、c"},
		{"a two-element list is not a change when its shapes differ", "thing", `{"tags":["a",{"x":1}]}`, "关爱标签 = a、x 1"},
		{"keys of a coded field are words", "thing", `{"colour":{"red":2,"blue":1}}`, "颜色 = 蓝色 1，红色 2"},
		{"numbers without trailing zeros", "thing", `{"hours":2.50,"rows":3}`, "时长（小时） = 2.5; 行数 = 3"},
		{"nothing", "thing", `{}`, ""},
		{"text that is not JSON is shown as it is", "thing", `not json`, "说明 = not json"},
	}
	for _, c := range cases {
		var parts []string
		for _, ch := range Changes(i18n.Zh, c.entity, c.detail) {
			if ch.Changed {
				parts = append(parts, ch.Field+": "+ch.From+" → "+ch.To)
			} else {
				parts = append(parts, ch.Field+" = "+ch.To)
			}
		}
		if got := strings.Join(parts, "; "); got != c.want {
			t.Errorf("%s: %s gives %q, want %q", c.name, c.detail, got, c.want)
		}
	}
}

func TestNamesOfRows(t *testing.T) {
	n := NewNames()
	asked := 0
	n.Add("thing", func(_ context.Context, ids []string) (map[string]string, error) {
		asked++
		out := map[string]string{}
		for _, id := range ids {
			if id == "1" {
				out[id] = "第一件"
			}
		}
		return out, nil
	})
	rows := []Row{{Entity: "thing", EntityID: "1"}, {Entity: "thing", EntityID: "1"}, {Entity: "thing", EntityID: "2"}, {Entity: "nameless", EntityID: "9"}}
	names, err := n.Of(context.Background(), rows)
	if err != nil {
		t.Fatal(err)
	}
	if asked != 1 || names["thing"]["1"] != "第一件" || names["thing"]["2"] != "" || names["nameless"] != nil {
		t.Errorf("names %v after %d lookups", names, asked)
	}
	if got, err := (*Names)(nil).Of(context.Background(), rows); err != nil || len(got) != 0 {
		t.Errorf("no namers: %v %v", got, err)
	}
}
