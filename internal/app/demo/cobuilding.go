package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"grassroots/internal/org"
)

// coBuildingUnit is a co-building unit as written.
type coBuildingUnit struct {
	id        int64
	name      string
	kind      org.CoBuildingKind
	community *community
}

// coBuildingNames are the bodies of each kind that may sign agreements;
// companies are generated (companyNames) after the named ones.
var coBuildingNames = map[org.CoBuildingKind][]string{
	org.CityBody: {
		"国家税务总局九江市税务局", "九江市财政局", "九江市自然资源局", "九江市住房公积金管理中心", "九江市生态环境局",
		"九江市交通运输局", "九江市人力资源和社会保障局", "九江市市场监督管理局", "九江市文化广电新闻出版旅游局", "九江市统计局",
		"九江市审计局", "九江市档案馆", "九江市图书馆", "九江市气象局", "九江海关",
		"九江海事局", "九江市中级人民法院", "九江市人民检察院", "九江市总工会", "共青团九江市委员会",
		"九江市妇女联合会", "九江市科学技术协会", "九江市水文局", "九江市机关事务管理局", "九江市公安局交通管理支队",
		"九江市消防救援支队", "九江市退役军人事务局", "九江市民政局",
	},
	org.DistrictBody: {
		"浔阳区财政局", "浔阳区人力资源和社会保障局", "浔阳区司法局", "浔阳区退役军人事务局", "浔阳区发展和改革委员会",
		"浔阳区商务局", "浔阳区审计局", "浔阳区统计局", "浔阳区人民法院", "浔阳区人民检察院",
		"浔阳区总工会", "共青团浔阳区委员会", "浔阳区妇女联合会", "浔阳区科学技术协会", "浔阳区档案馆",
		"浔阳区医疗保障局", "浔阳区农业农村局", "浔阳区文化广电新闻出版旅游局", "浔阳区委党校", "浔阳区融媒体中心",
	},
	org.Enterprise: {
		"国网九江供电公司", "中国移动通信集团江西有限公司九江分公司", "中国电信股份有限公司九江分公司", "中国联合网络通信有限公司九江市分公司",
		"中国邮政集团有限公司九江市分公司", "九江市自来水有限公司", "中国工商银行九江分行", "中国建设银行九江分行",
		"中国农业银行九江分行", "中国银行九江分行", "交通银行九江分行", "九江银行股份有限公司",
		"中国石化九江石油分公司", "九江港务集团有限公司", "九江市公共交通集团有限公司", "中国人寿保险股份有限公司九江分公司",
		"新华书店九江市分公司", "中国铁路南昌局集团有限公司九江车站", "江西省盐业集团九江市盐业有限公司", "九江市城市发展集团有限公司",
		"中国石油天然气股份有限公司九江销售分公司", "九江市国有资产运营有限公司", "浔阳区城市发展投资集团有限公司",
	},
	org.Company: {"九江联盛实业集团有限公司"},
	org.SchoolBody: {
		"九江学院", "九江职业大学", "九江职业技术学院", "江西财经职业学院", "九江市第一中学",
		"九江市第三中学", "九江市同文中学", "九江市第六中学", "九江市第十一中学", "九江市双峰小学",
		"九江小学", "九江市湖滨小学", "九江外国语学校", "九江市卫生学校",
	},
	org.HospitalBody: {
		"九江市第一人民医院", "九江学院附属医院", "九江市妇幼保健院", "九江市中医医院", "九江市第五人民医院",
		"九江市口腔医院", "九江市第三人民医院",
	},
	org.SocialBody: {
		"九江市慈善总会", "九江市红十字会", "九江市志愿服务联合会", "浔阳义工联合会", "九江市青年企业家协会",
		"九江市律师协会", "九江市个体私营经济协会", "九江市社会工作协会", "九江市心理咨询师协会", "九江市书法家协会",
	},
	org.OtherBody: {
		"九江日报社", "九江广播电视台", "九江军分区", "武警九江支队", "九江长江公路大桥管理处",
		"九江市疾病预防控制中心", "九江市公路事业发展中心", "九江市烟草专卖局",
	},
}

// Private companies are named "九江<head><trade>有限公司".
var (
	companyHeads  = []string{"浔城", "庐山", "甘棠", "长江", "琵琶亭", "锁江", "九华", "匡庐", "湓浦", "柴桑", "江州", "德化", "烟水", "南湖", "滨江", "浔阳楼"}
	companyTrades = []string{"物业管理", "商贸", "建筑工程", "信息技术", "餐饮管理", "家政服务", "电子商务", "文化传媒", "房地产开发", "医药连锁", "物流", "装饰工程", "教育咨询", "养老服务", "汽车销售服务"}
)

// companyNames lists every private company name in random order.
func (b *builder) companyNames() []string {
	var out []string
	for _, h := range companyHeads {
		for _, t := range companyTrades {
			out = append(out, "九江"+h+t+"有限公司")
		}
	}
	return shuffled(b.rng, out)
}

// agreementTerms are what co-building agreements commit the two sides to;
// agreementClauses close them.
var (
	agreementTerms = []string{
		"共建党建阵地", "开展志愿服务", "联合开展主题党日活动", "结对帮扶困难家庭", "共享活动场地",
		"参与社区环境整治", "开展政策宣讲", "支持在职党员到社区报到", "共同开展文明创建", "协助化解矛盾纠纷",
		"开展助老助残服务", "共办社区文化活动", "提供就业帮扶岗位", "参与老旧小区改造议事",
	}
	agreementClauses = []string{
		"每季度召开一次联席会议，年底共同总结。",
		"双方各明确一名联络员，按月通报工作情况。",
		"纳入社区党建联盟“八联”活动统筹推进。",
		"共建项目列入年度清单，逐项销号落实。",
	}
)

// buildCoBuilding writes the co-building units of each kind, each
// registered at a random community, with their agreements.
func (b *builder) buildCoBuilding(ctx context.Context) error {
	all := b.communities()
	for _, p := range coBuildingPlan {
		names := coBuildingNames[p.kind]
		if p.kind == org.Company {
			names = append(append([]string(nil), names...), b.companyNames()...)
		} else {
			names = shuffled(b.rng, names)
		}
		if len(names) < p.n {
			return fmt.Errorf("%d %s co-building units wanted, %d names known", p.n, p.kind, len(names))
		}
		for _, name := range names[:p.n] {
			if err := b.coBuildingUnit(ctx, name, p.kind, pick(b.rng, all)); err != nil {
				return err
			}
		}
	}
	return nil
}

// coBuildingUnit writes one co-building unit with an agreement with its own
// community and, for some, one with a neighbouring community of the same
// street.
func (b *builder) coBuildingUnit(ctx context.Context, name string, kind org.CoBuildingKind, c *community) error {
	id, err := b.l.CoBuildingUnit(ctx, org.CoBuildingInput{
		CommunityID: c.unit.ID, Name: name, Kind: kind, Address: address(b.rng),
		Contact: pick(b.rng, surnames) + "主任 " + phone(b.rng),
	})
	if err != nil {
		return fmt.Errorf("co-building unit %s: %w", name, err)
	}
	b.tally.coBuilding++
	b.coBuilding = append(b.coBuilding, coBuildingUnit{id: id, name: name, kind: kind, community: c})
	partners := []*community{c}
	if b.rng.IntN(3) == 0 {
		if other := pick(b.rng, c.street.communities); other != c {
			partners = append(partners, other)
		}
	}
	for _, p := range partners {
		if err := b.agreement(ctx, id, p); err != nil {
			return err
		}
	}
	return nil
}

// agreement writes a co-building agreement signed between 2017 and 2024;
// most run for three or five years, some without end.
func (b *builder) agreement(ctx context.Context, unitID int64, c *community) error {
	signed := dayIn(b.rng, 2017, 2024)
	in := org.AgreementInput{SignedOn: signed.Format(time.DateOnly), Content: b.agreementContent()}
	if b.rng.IntN(3) > 0 {
		in.ExpiresOn = signed.AddDate(pick(b.rng, []int{3, 5}), 0, -1).Format(time.DateOnly)
	}
	if _, err := b.l.Agreement(ctx, unitID, c.unit.ID, in); err != nil {
		return fmt.Errorf("agreement with %s: %w", c.unit.Name, err)
	}
	b.tally.agreements++
	return nil
}

// agreementContent draws two to four terms and a closing clause.
func (b *builder) agreementContent() string {
	terms := shuffled(b.rng, agreementTerms)[:between(b.rng, 2, 4)]
	return "双方约定" + strings.Join(terms, "、") + "，" + pick(b.rng, agreementClauses)
}

// positions are the posts a part-time member holds in their own unit,
// worded to fit any body of the kind.
var positions = map[org.CoBuildingKind][]string{
	org.CityBody:     {"党组成员", "机关党委书记", "机关党委专职副书记"},
	org.DistrictBody: {"党组成员", "机关党支部书记"},
	org.Enterprise:   {"党委书记", "党委副书记", "纪委书记", "工会主席"},
	org.Company:      {"董事长、党支部书记", "党支部书记", "副总经理"},
	org.SchoolBody:   {"党委书记", "党委副书记、校长", "副校长"},
	org.HospitalBody: {"党委书记", "党委副书记、院长", "副院长"},
	org.SocialBody:   {"会长、党支部书记", "秘书长"},
	org.OtherBody:    {"党委委员", "机关党委书记"},
}

// buildPartTime seats partTimePerStreet leaders of co-building units on
// each street's working committee, preferring units registered in the
// street; no unit sends two.
func (b *builder) buildPartTime(ctx context.Context) error {
	used := map[int64]bool{}
	for _, st := range b.streets {
		var here, elsewhere []coBuildingUnit
		for _, u := range shuffled(b.rng, b.coBuilding) {
			switch {
			case used[u.id]:
			case u.community.street == st:
				here = append(here, u)
			default:
				elsewhere = append(elsewhere, u)
			}
		}
		pool := append(here, elsewhere...)
		if len(pool) < partTimePerStreet {
			return fmt.Errorf("%d co-building units left for %s's part-time members", len(pool), st.unit.Name)
		}
		for _, u := range pool[:partTimePerStreet] {
			used[u.id] = true
			if err := b.partTimeMember(ctx, st, u); err != nil {
				return err
			}
		}
	}
	return nil
}

// partTimeMember writes one part-time member from unit u, serving a
// five-year term that began between 2021 and 2023.
func (b *builder) partTimeMember(ctx context.Context, st *street, u coBuildingUnit) error {
	start := dayIn(b.rng, 2021, 2023)
	in := org.PartTimeInput{
		StreetID: st.unit.ID, CoBuildingUnitID: u.id, Name: personName(b.rng), Employer: u.name,
		Position: pick(b.rng, positions[u.kind]), TermStart: start.Format(time.DateOnly),
		TermEnd: start.AddDate(5, 0, -1).Format(time.DateOnly),
	}
	if _, err := b.l.PartTimeMember(ctx, in); err != nil {
		return fmt.Errorf("part-time member of %s: %w", st.unit.Name, err)
	}
	b.tally.partTime++
	return nil
}
