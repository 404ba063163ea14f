package demo

import (
	"fmt"
	"math/rand/v2"
	"time"
)

// Name pools of the demo district. They are words to draw from, not
// figures: how many of each are drawn is decided in plan.go.

// communityBases are place and road names of old Jiujiang; a community is
// named "<base>社区".
var communityBases = []string{
	"大中路", "浔阳路", "庐山路", "湓浦", "滨江", "九华门", "琵琶亭", "烟水亭", "锁江楼", "甘棠湖",
	"南湖", "白水湖", "龙开河", "三里街", "十里", "庾亮", "长虹", "东风", "西园", "花园",
	"能仁寺", "双峰", "天花井", "大树下", "湖滨", "滨兴", "柴桑", "濂溪", "德化", "江州",
	"浔城", "望京楼", "四码头", "二码头", "环城", "西门口", "东门口", "北门", "南门", "府学",
	"塔岭", "丁官", "胜利", "解放", "新桥头", "湖光", "莲花池", "富华", "化纤", "动力",
	"交通", "铁路", "港口", "茶花", "金鸡坡", "马祖山", "信华", "浔阳东", "人民", "和平",
	"前进", "民主", "八角石", "龙珠", "月亮湖", "姑塘", "庐峰", "南司", "荷花池", "学院",
	"长江", "菜市", "牌楼", "九龙街", "繁荣", "文化", "赛湖", "天池", "桂林桥", "滨湖",
}

// roads name grids ("<road>网格"), addresses and some branches.
var roads = []string{
	"浔阳路", "庐山路", "湓浦路", "大中路", "滨江路", "九华门路", "甘棠路", "庾亮路", "西园路", "长虹路",
	"南湖路", "湖滨路", "龙开河路", "三里街", "烟水亭路", "浔阳东路", "塔岭路", "信华路", "环城路", "人民路",
	"交通路", "胜利路", "能仁路", "双峰路", "天花井路", "柴桑路", "德化路", "濂溪路", "湖光路", "花园路",
	"东风路", "琵琶亭路", "白水湖路", "龙珠路", "府学路", "东门口路", "西门口路", "新桥头路", "前进路", "民主路",
}

// compoundHeads and compoundTails make residential compound names.
var (
	compoundHeads = []string{
		"滨江", "锦绣", "金鼎", "阳光", "丽景", "书香", "翰林", "湖畔", "桂花", "龙湾",
		"世纪", "盛世", "学府", "东方", "江南", "庐山", "烟水", "甘棠", "南湖", "浔城",
		"福星", "和平", "幸福", "康乐", "永安", "华府", "紫荆", "天润", "怡园", "春晖",
	}
	compoundTails = []string{"小区", "花园", "苑", "新村", "家园", "公寓", "雅居"}
	// dormitories are the old work-unit compounds whose buildings are
	// numbered "<n>号楼".
	dormitories = []string{
		"供电局宿舍", "市一中宿舍", "化纤厂宿舍", "港务局宿舍", "铁路宿舍", "纺织厂宿舍", "第二建筑公司宿舍",
		"粮食局宿舍", "航运公司宿舍", "棉纺厂宿舍", "邮电局宿舍", "机械厂宿舍", "商业局宿舍", "卫生局宿舍",
	}
)

// gridOrdinals name the grids of a community in order.
var gridOrdinals = []string{"第一", "第二", "第三", "第四", "第五", "第六", "第七", "第八", "第九", "第十"}

// Surnames weighted towards those common in Jiangxi, and characters for
// given names: those usual before the 1990s, and those of the young.
var (
	surnames = []string{
		"刘", "陈", "李", "王", "张", "胡", "黄", "罗", "吴", "徐", "杨", "熊", "万", "涂", "邹",
		"曾", "彭", "肖", "周", "余", "汪", "程", "舒", "付", "喻", "黎", "邓", "蔡", "朱", "郭",
		"何", "赵", "谢", "宋", "叶", "江", "詹", "柯", "聂", "龚", "刘", "陈", "李", "王", "张",
	}
	maleFirst    = []rune("建国志文明海晓永俊德华立振春家新宏学子正")
	maleSecond   = []rune("华平强军明峰辉斌涛亮刚林勇波东杰超龙成生")
	maleSingle   = []rune("伟军勇斌强磊涛鹏杰峰")
	femaleFirst  = []rune("丽秀春晓玉红美海慧雅静小桂月淑佳雪")
	femaleSecond = []rune("英萍梅燕霞芳琴兰娟红丽敏玲莉婷华珍洁")
	femaleSingle = []rune("静敏丽娟芳艳婷霞琳颖")

	youngMaleFirst    = []rune("梓子浩宇俊睿博皓铭泽晨一思嘉奕")
	youngMaleSecond   = []rune("轩涵睿宇豪辰阳霖航逸然杰铭泽恒")
	youngMaleSingle   = []rune("浩宇睿轩泽铭")
	youngFemaleFirst  = []rune("梓欣雨诗子思紫佳可若语一依")
	youngFemaleSecond = []rune("涵怡桐萱琪彤然妍琳菲悦瑶欣")
	youngFemaleSingle = []rune("涵萱彤妍悦琪")
)

// youngNamesFrom is the first year of birth given the young names.
const youngNamesFrom = 1995

// personName draws a Chinese personal name of either sex.
func personName(r *rand.Rand) string { return pick(r, surnames) + givenName(r, r.IntN(2) == 0, 0) }

// givenName draws a given name of one or two characters for a man or a
// woman born in a year (0: any).
func givenName(r *rand.Rand, male bool, born int) string {
	first, second, single := femaleFirst, femaleSecond, femaleSingle
	switch {
	case male && born >= youngNamesFrom:
		first, second, single = youngMaleFirst, youngMaleSecond, youngMaleSingle
	case male:
		first, second, single = maleFirst, maleSecond, maleSingle
	case born >= youngNamesFrom:
		first, second, single = youngFemaleFirst, youngFemaleSecond, youngFemaleSingle
	}
	if r.IntN(5) == 0 {
		return string(pick(r, single))
	}
	a := pick(r, first)
	b := pick(r, second)
	for b == a {
		b = pick(r, second)
	}
	return string(a) + string(b)
}

// Area codes (GB/T 2260) that begin identity numbers: where a person was
// first registered. Registered residents come mostly from the district and
// the rest of Jiujiang, floating ones from the neighbouring provinces.
// oldCounty became newCounty in countyRenamed; no one born since carries
// the old code.
var (
	jiujiangAreas = []choice[string]{
		{"360403", 60}, {"360402", 10}, {"360421", 6}, {"360423", 3}, {"360424", 4}, {"360425", 3},
		{"360426", 2}, {"360428", 4}, {"360429", 2}, {"360430", 2}, {"360481", 3}, {"360483", 1},
	}
	outsideAreas = []choice[string]{
		{"421127", 14}, {"421182", 8}, {"340826", 8}, {"340827", 5}, {"360102", 6}, {"360121", 5},
		{"361121", 4}, {"360502", 3}, {"360302", 3}, {"420111", 4}, {"362202", 3}, {"430602", 2},
	}
)

const (
	oldCounty     = "360421"
	newCounty     = "360404"
	countyRenamed = 2017
)

// mobilePrefixes begin Chinese mobile numbers.
var mobilePrefixes = []string{
	"130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155",
	"156", "157", "158", "159", "166", "173", "175", "176", "177", "180", "181", "182", "183", "184", "185",
	"186", "187", "188", "189", "191", "193", "195", "198", "199",
}

// minorities are the ethnic minorities living in the district.
var minorities = []string{"回族", "畲族", "壮族", "满族", "苗族", "土家族", "蒙古族", "侗族"}

// postTitles are the posts a community's needs list may hold, by category.
var postTitles = map[string][]string{
	"organisation":  {"党员活动室值守", "主题党日活动协助", "党建宣传栏更新", "党员教育学习辅导", "流动党员联络"},
	"legal_aid":     {"法律咨询进社区", "矛盾纠纷调解协助", "普法宣传讲座", "居民法律援助接待"},
	"poverty_jobs":  {"困难家庭结对帮扶", "就业信息推送", "职业技能培训辅导", "爱心助学辅导"},
	"governance":    {"楼栋议事会协助", "垃圾分类督导", "文明劝导", "小区环境整治", "老旧小区改造意见收集"},
	"health":        {"义诊进社区", "健康知识讲座", "高龄老人探访", "慢病随访协助", "心理疏导志愿服务"},
	"culture_sport": {"四点半课堂辅导", "社区文艺汇演", "全民健身活动组织", "社区读书会", "非遗手工课堂"},
	"safety_patrol": {"夜间治安巡逻", "防汛值守", "消防安全检查", "反诈骗宣传", "电动车充电隐患排查"},
	"other":         {"周末便民服务", "节日慰问", "志愿服务站值班", "代缴代办服务", "关爱留守儿童"},
}

// phone draws a Jiujiang office telephone number.
func phone(r *rand.Rand) string { return fmt.Sprintf("0792-8%06d", r.IntN(1000000)) }

// address draws a street address in the district.
func address(r *rand.Rand) string {
	return fmt.Sprintf("九江市浔阳区%s%d号", pick(r, roads), 1+r.IntN(300))
}

// pick draws one element of s.
func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// shuffled returns a shuffled copy of s.
func shuffled[T any](r *rand.Rand, s []T) []T {
	out := append([]T(nil), s...)
	r.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// dayIn draws a day between 1 January of from and 31 December of to.
func dayIn(r *rand.Rand, from, to int) time.Time {
	start := time.Date(from, 1, 1, 0, 0, 0, 0, time.UTC)
	days := int(time.Date(to+1, 1, 1, 0, 0, 0, 0, time.UTC).Sub(start).Hours() / 24)
	return start.AddDate(0, 0, r.IntN(days))
}

// day draws a day as dayIn does, written YYYY-MM-DD.
func day(r *rand.Rand, from, to int) string { return dayIn(r, from, to).Format(time.DateOnly) }

// between draws an integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int { return lo + r.IntN(hi-lo+1) }
