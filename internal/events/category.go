package events

import (
	"regexp"
	"strings"
	"unicode/utf8"

	"grassroots/internal/platform/apperr"
	"grassroots/internal/platform/workcal"
)

// Kind tells events (事件) from facilities (部件), as 数字城管 does.
type Kind string

// The kinds.
const (
	KindEvent    Kind = "event"
	KindFacility Kind = "facility"
)

// Category is a class of problem: a top class (two-digit code) or a
// subclass (four digits) with its limits and usual handling unit.
type Category struct {
	ID             int64
	ParentID       int64
	Code           string
	Name           string
	NameEn         string
	Kind           Kind
	HandlingUnitID int64
	HandlingName   string
	Limits         Limits
	Public         bool // shown through Open311
	Active         bool
}

// DisplayName is the category's name in a language ("en" for English).
func (c *Category) DisplayName(lang string) string {
	if lang == "en" && c.NameEn != "" {
		return c.NameEn
	}
	return c.Name
}

// CategoryInput is a new or changed category. Limits are written like
// "4h", "90m" or "5d".
type CategoryInput struct {
	ParentID       int64
	Code           string
	Name           string
	NameEn         string
	Kind           Kind
	HandlingUnitID int64
	Accept         string
	Dispatch       string
	Sign           string
	Handle         string
	Verify         string
	WarnPercent    int
	Public         bool
	Active         bool
}

var codeRE = regexp.MustCompile(`^[0-9]{2}([0-9]{2})?$`)

// Validate checks the input and returns the limits it sets.
func (in *CategoryInput) Validate(parent *Category) (Limits, error) {
	in.Code = strings.TrimSpace(in.Code)
	in.Name = strings.TrimSpace(in.Name)
	in.NameEn = strings.TrimSpace(in.NameEn)
	var f apperr.Fields
	switch {
	case !codeRE.MatchString(in.Code):
		f.Add("code", "events.category_code")
	case parent == nil && len(in.Code) != 2:
		f.Add("code", "events.category_code")
	case parent != nil && (len(in.Code) != 4 || !strings.HasPrefix(in.Code, parent.Code)):
		f.Add("code", "events.category_code")
	}
	if in.Name == "" {
		f.Add("name", "field.required")
	} else if utf8.RuneCountInString(in.Name) > 40 {
		f.Add("name", "field.too_long", 40)
	}
	if utf8.RuneCountInString(in.NameEn) > 80 {
		f.Add("name_en", "field.too_long", 80)
	}
	if in.Kind != KindEvent && in.Kind != KindFacility {
		f.Add("kind", "field.bad_choice")
	}
	if in.WarnPercent == 0 {
		in.WarnPercent = 80
	}
	if in.WarnPercent < 10 || in.WarnPercent > 95 {
		f.Add("warn_percent", "events.warn_percent")
	}
	var l Limits
	l.WarnPercent = in.WarnPercent
	for _, x := range []struct {
		field string
		text  string
		dst   *workcal.Limit
	}{{"accept", in.Accept, &l.Accept}, {"dispatch", in.Dispatch, &l.Dispatch}, {"sign", in.Sign, &l.Sign}, {"handle", in.Handle, &l.Handle}, {"verify", in.Verify, &l.Verify}} {
		lim, err := workcal.ParseLimit(x.text)
		if err != nil {
			f.Add(x.field, "events.bad_limit")
			continue
		}
		// Only handling runs in working days; the stages around it are
		// counted in working minutes and hours.
		if lim.Days > 0 && x.field != "handle" {
			f.Add(x.field, "events.limit_no_days")
			continue
		}
		*x.dst = lim
	}
	return l, f.Err()
}

// DefaultCategory is one category of the shipped set.
type DefaultCategory struct {
	Code, Name, NameEn string
	Kind               Kind
	Handler            string // the department's short code (CGJ ...); empty: chosen at dispatch
	Handle             string // handling limit
	Private            bool   // kept out of Open311
}

// DefaultCategories is the set a new installation starts with: the top
// classes of the issue, with subclasses and limits after 数字城管 practice
// (exposed rubbish 4 working hours, road cleaning 2, green space upkeep 5
// working days) and 12345 practice (general 7 days, complex 15). Every
// category accepts within 1 working hour, dispatches within 1, is signed for
// within 1, is verified within 2 and warns at 80% of a limit.
var DefaultCategories = []DefaultCategory{
	{"01", "市容环境", "City appearance", KindEvent, "CGJ", "1d", false},
	{"0101", "暴露垃圾", "Exposed rubbish", KindEvent, "CGJ", "4h", false},
	{"0102", "道路不洁", "Dirty road", KindEvent, "CGJ", "2h", false},
	{"0103", "乱张贴乱涂写", "Fly-posting and graffiti", KindEvent, "CGJ", "1d", false},
	{"0104", "垃圾满溢", "Overflowing bins", KindFacility, "CGJ", "4h", false},
	{"02", "道路交通", "Roads and traffic", KindEvent, "ZJJ", "3d", false},
	{"0201", "道路破损", "Damaged road", KindFacility, "ZJJ", "3d", false},
	{"0202", "井盖缺失破损", "Missing or broken manhole cover", KindFacility, "ZJJ", "4h", false},
	{"0203", "非机动车乱停放", "Badly parked bicycles", KindEvent, "CGJ", "4h", false},
	{"03", "公共设施", "Public facilities", KindFacility, "CGJ", "2d", false},
	{"0301", "路灯损坏", "Broken street light", KindFacility, "CGJ", "2d", false},
	{"0302", "健身器材损坏", "Broken fitness equipment", KindFacility, "JTJ", "5d", false},
	{"0303", "消防设施损坏", "Broken fire equipment", KindFacility, "YJJ", "1d", false},
	{"04", "园林绿化", "Greenery", KindEvent, "CGJ", "5d", false},
	{"0401", "绿地养护", "Green space upkeep", KindEvent, "CGJ", "5d", false},
	{"0402", "树木倒伏", "Fallen tree", KindEvent, "CGJ", "4h", false},
	{"05", "房屋土地", "Housing and land", KindEvent, "ZJJ", "15d", false},
	{"0501", "违法建设", "Illegal building", KindEvent, "ZJJ", "15d", false},
	{"0502", "房屋安全隐患", "Unsafe building", KindEvent, "ZJJ", "1d", false},
	{"06", "街面秩序", "Street order", KindEvent, "CGJ", "2h", false},
	{"0601", "占道经营", "Street vending on the road", KindEvent, "CGJ", "2h", false},
	{"0602", "噪声扰民", "Noise", KindEvent, "HBJ", "1d", false},
	{"0603", "餐饮油烟", "Cooking fumes", KindEvent, "HBJ", "3d", false},
	{"07", "突发事件", "Emergencies", KindEvent, "YJJ", "2h", false},
	{"0701", "火情隐患", "Fire hazard", KindEvent, "YJJ", "2h", false},
	{"0702", "燃气泄漏", "Gas leak", KindEvent, "YJJ", "2h", false},
	{"0703", "路面塌陷积水", "Road collapse or flooding", KindEvent, "SWJ", "2h", false},
	{"08", "矛盾纠纷", "Disputes", KindEvent, "", "7d", true},
	{"0801", "邻里纠纷", "Neighbour dispute", KindEvent, "", "7d", true},
	{"0802", "物业纠纷", "Property management dispute", KindEvent, "ZJJ", "15d", true},
	{"09", "便民服务", "Services", KindEvent, "MZJ", "7d", false},
	{"0901", "特殊群体帮扶", "Help for people in need", KindEvent, "MZJ", "7d", false},
	{"0902", "食品安全", "Food safety", KindEvent, "SJJ", "3d", false},
}

// defaultInput turns a shipped category into an input.
func (d DefaultCategory) input() CategoryInput {
	return CategoryInput{Code: d.Code, Name: d.Name, NameEn: d.NameEn, Kind: d.Kind, Accept: "1h", Dispatch: "1h", Sign: "1h",
		Handle: d.Handle, Verify: "2h", WarnPercent: 80, Public: !d.Private, Active: true}
}
