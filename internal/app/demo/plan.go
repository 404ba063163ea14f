package demo

import "grassroots/internal/org"

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
