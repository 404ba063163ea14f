package demo

import "grassroots/internal/org"

// choice is a value to draw and its weight.
type choice[T any] struct {
	value  T
	weight int
}

// The plan is the generator's input: how the district is laid out and how
// many of each thing to draw. Every figure the platform shows of the demo
// district is counted from the rows built from it, never read from here.

// The district and where it lies (Xunyang, on the Yangtze at Jiujiang).
const (
	districtCode = "360403"
	districtName = "浔阳区"
	// committeeName is the district's party committee.
	committeeName = "中共九江市浔阳区委员会"
)

var districtBox = box{minLon: 115.95, minLat: 29.68, maxLon: 116.05, maxLat: 29.74}

// streetPlan lists the streets west to east with how many communities each
// has.
var streetPlan = []struct {
	name        string
	communities int
}{
	{"湓浦街道", 16}, {"人民路街道", 15}, {"湖滨街道", 14}, {"白水湖街道", 13}, {"甘棠街道", 14},
}

// Grids are dealt over the communities, each keeping between gridsMin and
// gridsMax; buildings per grid fall between buildingsMin and buildingsMax.
const (
	gridTotal    = 295
	gridsMin     = 3
	gridsMax     = 6
	buildingsMin = 6
	buildingsMax = 15
)

// Areas (片区): areaCommunities communities, chosen among those with at
// least areaMinGrids grids, get one or two areas of gridsPerArea grids.
const (
	areaCommunities = 6
	areaMinGrids    = 5
	gridsPerArea    = 2
)

// departments are the district's functional departments, with the short
// code that follows the district code; the demo department user works at
// the first.
var departments = []struct{ code, name string }{
	{"CGJ", "浔阳区城市管理局"},
	{"ZJJ", "浔阳区住房和城乡建设局"},
	{"SJJ", "浔阳区市场监督管理局"},
	{"HBJ", "九江市生态环境局浔阳分局"},
	{"GAJ", "九江市公安局浔阳分局"},
	{"MZJ", "浔阳区民政局"},
	{"WJW", "浔阳区卫生健康委员会"},
	{"YJJ", "浔阳区应急管理局"},
	{"SWJ", "浔阳区水务局"},
	{"JTJ", "浔阳区教育体育局"},
}

// grassrootsPlan says how many grassroots party organisations of each
// checklist type the district has. Street & community counts the community
// party organisations and area branches too; the street offices' own
// branches make up the rest.
var grassrootsPlan = []struct {
	t org.PartyOrgType
	n int
}{
	{org.StreetCommunity, 110},
	{org.Rural, 10},
	{org.GovernmentOrgan, 85},
	{org.StateEnterprise, 25},
	{org.School, 40},
	{org.PublicHospital, 10},
	{org.NonPublicEnterprise, 30},
	{org.SocialOrganisation, 18},
}

// coBuildingPlan says how many co-building units of each kind sign
// agreements with the communities.
var coBuildingPlan = []struct {
	kind org.CoBuildingKind
	n    int
}{
	{org.CityBody, 26},
	{org.DistrictBody, 18},
	{org.Enterprise, 22},
	{org.Company, 20},
	{org.SchoolBody, 12},
	{org.HospitalBody, 6},
	{org.SocialBody, 9},
	{org.OtherBody, 7},
}

// partTimePerStreet is how many leaders of co-building units sit on each
// street's working committee.
const partTimePerStreet = 6

// memberRange bounds the member count of each type of party organisation.
var memberRange = map[org.PartyOrgType][2]int{
	org.DistrictCommittee:      {0, 0},
	org.StreetWorkingCommittee: {40, 90},
	org.CommunityOrg:           {60, 450},
	org.AreaBranch:             {15, 49},
	org.GridGroup:              {3, 15},
	org.StreetCommunity:        {5, 40},
	org.Rural:                  {10, 45},
	org.GovernmentOrgan:        {8, 45},
	org.StateEnterprise:        {10, 150},
	org.School:                 {12, 80},
	org.PublicHospital:         {15, 120},
	org.NonPublicEnterprise:    {3, 30},
	org.SocialOrganisation:     {3, 20},
}

// foundedRange bounds the founding year of each type.
var foundedRange = map[org.PartyOrgType][2]int{
	org.DistrictCommittee:      {1980, 1980},
	org.StreetWorkingCommittee: {1990, 2005},
	org.CommunityOrg:           {2000, 2012},
	org.AreaBranch:             {2016, 2019},
	org.GridGroup:              {2018, 2020},
	org.StreetCommunity:        {2002, 2020},
	org.Rural:                  {1995, 2015},
	org.GovernmentOrgan:        {1985, 2019},
	org.StateEnterprise:        {1985, 2018},
	org.School:                 {1985, 2018},
	org.PublicHospital:         {1985, 2015},
	org.NonPublicEnterprise:    {2008, 2022},
	org.SocialOrganisation:     {2012, 2022},
}

// People. The demo district houses residents in every building: a sample
// of a few tens of thousands at the default scale, a whole district's
// population at the district scale. The figures of docs/domain.md §3 that concern
// people (grid members, in-service members reporting, the secretaries) are
// the district's, and come out at either scale.
const (
	defaultResidents  = 30000
	districtResidents = 430000
)

// householdPlan weighs the shapes of household drawn (see household.go for
// who lives in each); sizes run from one to five.
var householdPlan = []choice[householdShape]{
	{youngSingle, 8}, {youngCouple, 6}, {nuclearOne, 24}, {nuclearTwo, 9}, {singleParent, 4},
	{middleCouple, 12}, {threeGenerations, 8}, {elderlyCouple, 14}, {elderlyAlone, 10},
	{grandparentsAndChild, 2}, {elderWithChild, 3},
}

// agePyramid is the relative size of each five-year age band (0-4, 5-9, ...,
// 95-99) of an old city district: a narrow base of recent births, the bulge
// of those born in the 1960s and early 1970s, a long tail of the old. Ages
// within a household shape's range are drawn with these weights.
var agePyramid = []float64{
	0.70, 0.90, 0.95, 0.85, 0.85, 1.00, 1.25, 1.05, 0.95, 1.15,
	1.30, 1.25, 1.00, 0.95, 0.70, 0.45, 0.30, 0.17, 0.06, 0.015,
}

// elderlyAge is the age from which a resident counts as elderly (老年人).
const elderlyAge = 60

// buildingWeight bounds the weight (in percent) a building draws: households
// settle in buildings in proportion to it.
var buildingWeight = [2]int{40, 160}

// residencePlan weighs how a household's members are registered: here
// (户籍), registered elsewhere in the city (人户分离), or from outside it
// (流动人口).
var residencePlan = []choice[string]{
	{"registered", 76}, {"separated", 12}, {"floating", 12},
}

// hanPermille is the share of residents of Han ethnicity, per mille.
const hanPermille = 996

// phonePermille is the share of residents with a mobile phone, per mille,
// by age: [from age, share].
var phonePermille = [][2]int{{0, 0}, {12, 400}, {15, 800}, {18, 985}, {70, 820}, {80, 550}, {90, 250}}

// Care tags that are drawn rather than following from the household's
// shape (elderly living alone, empty nest and left-behind children follow
// from it): per mille of the young and of the elderly.
var careRates = []struct {
	tag        string
	young, old int
}{
	{"disabled", 16, 55},
	{"serious_illness", 6, 28},
	{"special_hardship", 1, 5},
}

// Low income (低保) is drawn per household and tags all its members;
// veterans are drawn among men (and a few women) from veteranAge.
const (
	lowIncomePermille    = 18
	veteranAge           = 38
	veteranPermilleMen   = 70
	veteranPermilleWomen = 2
)

// Residents who died or moved out in the last statusYears stay on file:
// a share of the elderly and of everyone, per mille.
const (
	deceasedPermilleOld = 14
	movedOutPermille    = 12
	statusYears         = 3
)

// In-service party members are of working age (from workingAgeFrom, below
// retirementAge). Among the other residents, retiredMemberPermille of
// those of retirement age and otherMemberPermille of the working-age ones
// are party members, who belong to their community's party organisation.
const (
	workingAgeFrom        = 23
	retirementAge         = 60
	retiredMemberPermille = 110
	otherMemberPermille   = 25
)

// joinAges bound the age at which party members joined.
var joinAges = [2]int{19, 45}

// inServiceReported is how many in-service party members report to their
// residence community, dealt over the communities by their working-age
// residents; inServiceUnreportedPermille more are in service but have not
// reported yet. The district's in-service members do not grow with the
// scale: they are the district's at both.
const (
	inServiceReported           = 3126
	inServiceUnreportedPermille = 40
	reportedFromYear            = 2018 // the earliest reports
)

// The community party secretaries' ages are drawn from a normal
// distribution whose mean is secretaryAgeTarget; the last draws are moved
// (by at most secretaryAgeSD each) until the mean of the whole ages is the
// target. secretaryCollegeTarget is the share of them drawn with a college
// degree or above, rounded to whole secretaries.
const (
	secretaryAgeTarget     = 44.0
	secretaryAgeSD         = 6
	secretaryAgeMin        = 31
	secretaryAgeMax        = 58
	secretaryCollegeTarget = 0.77
)

// workerPlan says how many community workers of each position a community
// has besides its secretary and its full-time grid workers (one per grid),
// their ages, and the step of the pay scale they start from; a worker
// climbs a step every payStepYears of service.
var workerPlan = []struct {
	position     string
	min, max     int
	ageLo, ageHi int
	payBase      int
}{
	{"director", 1, 1, 34, 56, 7},
	{"deputy", 1, 2, 30, 54, 5},
	{"committee_member", 3, 5, 26, 52, 3},
	{"social_worker", 1, 3, 23, 42, 2},
}

// Secretaries start from secretaryPayBase and full-time grid workers, aged
// gridWorkerAges, from gridWorkerPayBase; payStepYears of service make a
// step.
const (
	secretaryPayBase  = 9
	gridWorkerPayBase = 1
	payStepYears      = 3
)

var gridWorkerAges = [2]int{24, 50}

// educationPlan weighs the educations of workers other than the
// secretaries, whose degrees are dealt by secretaryCollegeTarget; degreePlan
// weighs the degrees of those secretaries who have one.
var (
	educationPlan = []choice[string]{
		{"postgraduate", 3}, {"bachelor", 32}, {"college", 40}, {"high_school", 22}, {"below", 3},
	}
	degreePlan = []choice[string]{
		{"postgraduate", 4}, {"bachelor", 46}, {"college", 50},
	}
)

// Grid staff: gridMemberTotal grid members are dealt over the grids in
// proportion to their buildings, each grid keeping between gridMembersMin
// and gridMembersMax. Every grid has one full-time grid worker; of the
// others, retiredMemberPercent are retired party members living in the grid
// and volunteerPercent volunteers, and the rest are building heads, one per
// building. A street cadre instructs up to gridsPerInstructor grids.
const (
	gridMemberTotal      = 2725
	gridMembersMin       = 5
	gridMembersMax       = 14
	retiredMemberPercent = 25
	volunteerPercent     = 20
	gridsPerInstructor   = 2
	gridStaffFromYear    = 2019 // the grids merged (多网合一) from this year
)

// Needs lists: each community posts between postsMin and postsMax posts,
// at least one of each category, with postSlots places each; a reported
// member claims between claimsMin and claimsMax posts, and servedPermille
// of the claims have between sessionsMin and sessionsMax services of
// sessionMinutes recorded in the past year.
var (
	postSlots      = [2]int{4, 20}
	sessionMinutes = [2]int{60, 240}
)

const (
	postsMin       = 8
	postsMax       = 14
	claimsMin      = 1
	claimsMax      = 2
	servedPermille = 700
	sessionsMin    = 1
	sessionsMax    = 6
)
