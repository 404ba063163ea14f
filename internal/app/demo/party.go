package demo

import (
	"context"
	"fmt"
	"strings"

	"grassroots/internal/org"
)

// buildParty writes the party organisations: the structural ones that
// mirror the tree, then the grassroots ones of each checklist type.
func (b *builder) buildParty(ctx context.Context) error {
	if err := b.buildStructure(ctx); err != nil {
		return err
	}
	for _, p := range grassrootsPlan {
		if err := b.buildGrassroots(ctx, p.t, p.n); err != nil {
			return err
		}
	}
	return nil
}

// partyOrg writes one party organisation with a secretary and founding
// date drawn for its type.
func (b *builder) partyOrg(ctx context.Context, u *org.Unit, in org.PartyOrgInput) (int64, error) {
	years := foundedRange[in.Type]
	in.Secretary = personName(b.rng)
	in.FoundedOn = day(b.rng, years[0], years[1])
	id, err := b.l.PartyOrg(ctx, u, in)
	if err != nil {
		return 0, fmt.Errorf("party organisation %s: %w", in.Name, err)
	}
	b.tally.partyOrgs[in.Type]++
	return id, nil
}

// members draws a member count for an organisation of type t.
func (b *builder) members(t org.PartyOrgType) int {
	r := memberRange[t]
	return between(b.rng, r[0], r[1])
}

// orgSuffix names the form a grassroots organisation takes by its size: a
// committee from 100 members, a general branch from 50, else a branch.
func orgSuffix(members int) string {
	switch {
	case members >= 100:
		return "党委"
	case members >= 50:
		return "党总支"
	}
	return "党支部"
}

// buildStructure writes the district committee, the street working
// committees, community party organisations, area branches and grid party
// groups, each led by the one above it.
func (b *builder) buildStructure(ctx context.Context) error {
	committee, err := b.partyOrg(ctx, b.district, org.PartyOrgInput{Type: org.DistrictCommittee, Name: committeeName})
	if err != nil {
		return err
	}
	b.partyAt[b.district.ID] = committee
	for _, dept := range b.departments {
		b.partyAt[dept.ID] = committee
	}
	for _, st := range b.streets {
		id, err := b.partyOrg(ctx, st.unit, org.PartyOrgInput{Type: org.StreetWorkingCommittee, ParentID: committee,
			Name: "中共九江市浔阳区" + st.unit.Name + "工作委员会", MemberCount: b.members(org.StreetWorkingCommittee)})
		if err != nil {
			return err
		}
		b.partyAt[st.unit.ID] = id
		for _, c := range st.communities {
			if err := b.buildCommunityParty(ctx, c, id); err != nil {
				return err
			}
		}
	}
	return nil
}

// buildCommunityParty writes a community's party organisation, its area
// branches and its grid party groups.
func (b *builder) buildCommunityParty(ctx context.Context, c *community, streetOrg int64) error {
	m := b.members(org.CommunityOrg)
	id, err := b.partyOrg(ctx, c.unit, org.PartyOrgInput{Type: org.CommunityOrg, ParentID: streetOrg,
		Name: c.unit.Name + orgSuffix(m), MemberCount: m})
	if err != nil {
		return err
	}
	b.partyAt[c.unit.ID] = id
	for _, a := range c.areas {
		aid, err := b.partyOrg(ctx, a, org.PartyOrgInput{Type: org.AreaBranch, ParentID: id,
			Name: c.unit.Name + a.Name + "党支部", MemberCount: b.members(org.AreaBranch)})
		if err != nil {
			return err
		}
		b.partyAt[a.ID] = aid
	}
	for _, g := range c.grids {
		if _, err := b.partyOrg(ctx, g, org.PartyOrgInput{Type: org.GridGroup, ParentID: b.partyAt[g.ParentID],
			Name: c.unit.Name + g.Name + "党小组", MemberCount: b.members(org.GridGroup)}); err != nil {
			return err
		}
	}
	return nil
}

// placement is where a grassroots organisation could sit and the name it
// would bear, less the 党委/党总支/党支部 that its size decides.
type placement struct {
	unit *org.Unit
	base string
}

// buildGrassroots brings the organisations held to checklist t up to want:
// those already written (community organisations and area branches count
// as street & community) are counted, and the rest are drawn from the
// type's placements in order.
func (b *builder) buildGrassroots(ctx context.Context, t org.PartyOrgType, want int) error {
	have := 0
	for pt, n := range b.tally.partyOrgs {
		if c, ok := pt.Checklist(); ok && c == t {
			have += n
		}
	}
	places := b.placements(t)
	need := want - have
	if need < 0 || need > len(places) {
		return fmt.Errorf("%d %s organisations wanted, %d exist and %d places are known", want, t, have, len(places))
	}
	for _, p := range places[:need] {
		m := b.members(t)
		id, err := b.partyOrg(ctx, p.unit, org.PartyOrgInput{Type: t, ParentID: b.partyAt[p.unit.ID],
			Name: p.base + orgSuffix(m), MemberCount: m})
		if err != nil {
			return err
		}
		if isWorkplace(t, p.base) {
			b.workplaces = append(b.workplaces, choice[workplace]{workplace{orgID: id, employer: p.base}, m})
		}
	}
	return nil
}

// placements lists where organisations of checklist t may sit, the most
// expected first.
func (b *builder) placements(t org.PartyOrgType) []placement {
	switch t {
	case org.StreetCommunity:
		return b.streetOfficePlaces()
	case org.Rural:
		return b.communityPlaces(func(c *community) string { return c.unit.Name + "股份经济合作社" })
	case org.GovernmentOrgan:
		return b.organPlaces()
	case org.StateEnterprise:
		return b.enterprisePlaces()
	case org.School:
		return b.communityPlaces(b.schoolName)
	case org.PublicHospital:
		return b.hospitalPlaces()
	case org.NonPublicEnterprise:
		return b.companyPlaces()
	case org.SocialOrganisation:
		return b.socialPlaces()
	}
	return nil
}

// streetOfficeBranches are the branches of a street's own offices.
var streetOfficeBranches = []string{"机关第一", "机关第二", "党群服务中心", "综合行政执法大队", "便民服务中心", "退休干部", "社区工作者", "流动党员"}

// streetOfficePlaces spreads the street offices' branches evenly over the
// streets.
func (b *builder) streetOfficePlaces() []placement {
	var out []placement
	for _, suffix := range streetOfficeBranches {
		for _, st := range b.streets {
			out = append(out, placement{st.unit, st.unit.Name + suffix})
		}
	}
	return out
}

// communityPlaces gives one place per community, in random order, named by
// name.
func (b *builder) communityPlaces(name func(*community) string) []placement {
	var out []placement
	for _, c := range shuffled(b.rng, b.communities()) {
		out = append(out, placement{c.unit, name(c)})
	}
	return out
}

// communities lists every community, street by street.
func (b *builder) communities() []*community {
	var out []*community
	for _, st := range b.streets {
		out = append(out, st.communities...)
	}
	return out
}

// schoolName names a school after its community: a primary school most
// often, else a kindergarten or a middle school.
func (b *builder) schoolName(c *community) string {
	switch n := b.rng.IntN(10); {
	case n < 5:
		return "九江市" + c.base + "小学"
	case n < 8:
		return "浔阳区" + c.base + "幼儿园"
	}
	return "九江市" + c.base + "中学"
}

// districtOrgans are the district's party, government and mass bodies
// whose branches sit at the district.
var districtOrgans = []string{
	"浔阳区委办公室", "浔阳区人大常委会机关", "浔阳区人民政府办公室", "浔阳区政协机关", "浔阳区纪委监委机关",
	"浔阳区委组织部", "浔阳区委宣传部", "浔阳区委统战部", "浔阳区委政法委员会", "浔阳区委机构编制委员会办公室",
	"浔阳区委巡察工作领导小组办公室", "浔阳区委党校", "浔阳区发展和改革委员会", "浔阳区财政局", "浔阳区人力资源和社会保障局",
	"浔阳区司法局", "浔阳区商务局", "浔阳区审计局", "浔阳区统计局", "浔阳区退役军人事务局",
	"浔阳区医疗保障局", "浔阳区科学技术和工业信息化局", "浔阳区农业农村局", "浔阳区文化广电新闻出版旅游局", "浔阳区人民法院",
	"浔阳区人民检察院", "浔阳区总工会", "共青团浔阳区委员会", "浔阳区妇女联合会", "浔阳区科学技术协会",
	"浔阳区工商业联合会", "浔阳区残疾人联合会", "浔阳区档案馆", "浔阳区融媒体中心", "浔阳区机关事务服务中心",
	"浔阳区信访局", "浔阳区行政审批局", "浔阳区政务服务中心", "浔阳区国有资产监督管理办公室", "浔阳区城市更新服务中心",
}

// departmentBodies are the offices under each department that have
// branches of their own; "%s" stands for a street's short name.
var departmentBodies = map[string][]string{
	"CGJ": {"城管执法一大队", "城管执法二大队", "环境卫生管理所", "市政设施管理所"},
	"ZJJ": {"建设工程质量安全监督站", "房屋征收与补偿服务中心"},
	"SJJ": {"%s市场监督管理所"},
	"HBJ": {"环境监测站"},
	"GAJ": {"%s派出所", "交通巡逻警察大队", "刑事侦查大队"},
	"MZJ": {"社会福利院", "社会救助服务中心"},
	"WJW": {"卫生健康综合监督执法局", "疾病预防控制中心"},
	"YJJ": {"安全生产执法大队"},
	"SWJ": {"水利工程管理站"},
	"JTJ": {"教育教学研究室"},
}

// organPlaces lists government organ branches: each department's own
// office first, then the district's bodies, the departments' offices, and
// the departments' retired cadres.
func (b *builder) organPlaces() []placement {
	var out []placement
	for _, dp := range departments {
		out = append(out, placement{b.departments[dp.code], dp.name + "机关"})
	}
	for _, name := range districtOrgans {
		out = append(out, placement{b.district, name})
	}
	for _, dp := range departments {
		for _, body := range departmentBodies[dp.code] {
			for _, name := range b.perStreet(body) {
				out = append(out, placement{b.departments[dp.code], dp.name + name})
			}
		}
	}
	for _, dp := range departments {
		out = append(out, placement{b.departments[dp.code], dp.name + "离退休干部"})
	}
	return out
}

// perStreet expands a name holding "%s" into one per street (湓浦街道 gives
// 湓浦); a name without it stands alone.
func (b *builder) perStreet(name string) []string {
	if !strings.Contains(name, "%s") {
		return []string{name}
	}
	out := make([]string, len(b.streets))
	for i, st := range b.streets {
		out[i] = fmt.Sprintf(name, strings.TrimSuffix(st.unit.Name, "街道"))
	}
	return out
}

// Enterprises with party organisations in the district: the district's own
// companies, then local branches of state-owned companies.
var (
	districtEnterprises = []string{
		"浔阳区城市发展投资集团有限公司", "浔阳区国有资产运营有限公司", "浔阳区市政工程有限公司",
		"浔阳区城市建设开发有限公司", "浔阳区旅游发展有限公司",
	}
	enterpriseBranches = []string{
		"国网九江供电公司浔阳供电中心", "中国移动九江分公司浔阳营业部", "中国电信九江分公司城区分局", "中国联通九江市分公司城区营业部",
		"中国邮政九江市浔阳区分公司", "九江市自来水有限公司城区营业所", "九江港务集团客运分公司", "九江市公共交通集团第一分公司",
		"九江市公共交通集团第二分公司", "中国工商银行九江浔阳支行", "中国建设银行九江浔阳支行", "中国农业银行九江浔阳支行",
		"中国银行九江浔阳支行", "交通银行九江分行营业部", "九江银行浔阳支行", "中国石化九江石油分公司城区片区",
		"中国人寿九江分公司", "新华书店九江市分公司", "中国铁路南昌局集团九江车站", "中国石油九江销售分公司",
		"江西省盐业集团九江市分公司", "九江市燃气有限公司城区服务站",
	}
)

// enterprisePlaces puts the district's companies at the district and the
// branches at random communities.
func (b *builder) enterprisePlaces() []placement {
	var out []placement
	for _, name := range districtEnterprises {
		out = append(out, placement{b.district, name})
	}
	all := b.communities()
	for _, name := range enterpriseBranches {
		out = append(out, placement{pick(b.rng, all).unit, name})
	}
	return out
}

// Hospitals of the district, under its health commission; the streets'
// community health service centres sit at the streets.
var (
	mainHospitals  = []string{"浔阳区人民医院", "浔阳区中医医院", "浔阳区妇幼保健院"}
	otherHospitals = []string{"浔阳区第二人民医院", "浔阳区康复医院", "浔阳区口腔医院"}
)

// healthDepartment is the department the district's hospitals answer to.
const healthDepartment = "WJW"

// hospitalPlaces lists the main hospitals, the streets' health service
// centres, then the smaller hospitals.
func (b *builder) hospitalPlaces() []placement {
	health := b.departments[healthDepartment]
	var out []placement
	for _, name := range mainHospitals {
		out = append(out, placement{health, name})
	}
	for _, st := range b.streets {
		out = append(out, placement{st.unit, st.unit.Name + "社区卫生服务中心"})
	}
	for _, name := range otherHospitals {
		out = append(out, placement{health, name})
	}
	return out
}

// companyPlaces puts private companies at random communities.
func (b *builder) companyPlaces() []placement {
	all := b.communities()
	var out []placement
	for _, name := range b.companyNames() {
		out = append(out, placement{pick(b.rng, all).unit, name})
	}
	return out
}

// Social organisations: the district-wide ones sit at the district; the
// community ones are named after their community.
var (
	districtSocialOrgs = []string{
		"浔阳区个体劳动者协会", "浔阳义工联合会", "浔阳志愿者之家", "浔城志愿警察协会",
		"浔阳区慈善会", "浔阳区社会工作者协会", "浔阳区老年人体育协会", "浔阳区物业管理协会",
	}
	communitySocialOrgs = []string{"%s居家养老服务中心", "%s邻里互助会", "%s社会工作服务站"}
)

// socialPlaces lists the district-wide social organisations, then
// community ones at random communities.
func (b *builder) socialPlaces() []placement {
	var out []placement
	for _, name := range districtSocialOrgs {
		out = append(out, placement{b.district, name})
	}
	return append(out, b.communityPlaces(func(c *community) string {
		return fmt.Sprintf(pick(b.rng, communitySocialOrgs), c.unit.Name)
	})...)
}
