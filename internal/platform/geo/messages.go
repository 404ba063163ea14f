package geo

import "grassroots/internal/platform/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"geo.too_large":         {Zh: "边界数据不能超过 %d KB。", En: "A boundary is at most %d KB."},
		"geo.not_json":          {Zh: "边界不是有效的 JSON。", En: "The boundary is not valid JSON."},
		"geo.not_geojson":       {Zh: "边界不是有效的 GeoJSON 几何对象。", En: "The boundary is not a valid GeoJSON geometry."},
		"geo.not_polygon":       {Zh: "边界应为多边形（Polygon 或 MultiPolygon），而不是 %s。", En: "A boundary is a Polygon or MultiPolygon, not %s."},
		"geo.empty":             {Zh: "边界多边形为空或面积为零。", En: "The boundary polygon is empty or has no area."},
		"geo.ring_short":        {Zh: "多边形的每个环至少需要 4 个点。", En: "Each polygon ring needs at least 4 points."},
		"geo.ring_open":         {Zh: "多边形的环未闭合（首尾点应相同）。", En: "A polygon ring is not closed (its first and last points must be equal)."},
		"geo.bad_coordinate":    {Zh: "坐标应为 WGS-84 经纬度（经度 -180～180，纬度 -90～90）。", En: "Coordinates are WGS-84 longitude (-180..180) and latitude (-90..90)."},
		"geo.self_intersection": {Zh: "边界线自相交或自身重叠，位置约在经度 %s、纬度 %s 附近。", En: "The boundary crosses or runs along itself near longitude %s, latitude %s."},
		"geo.hole_outside":      {Zh: "多边形的内环（洞）伸出了外环，位置约在经度 %s、纬度 %s 附近。", En: "A hole of the polygon reaches outside its outer ring near longitude %s, latitude %s."},
		"geo.holes_overlap":     {Zh: "多边形的两个内环（洞）互相重叠，位置约在经度 %s、纬度 %s 附近。", En: "Two holes of the polygon overlap near longitude %s, latitude %s."},
		"geo.parts_overlap":     {Zh: "多个多边形（MultiPolygon）的各部分互相重叠，位置约在经度 %s、纬度 %s 附近。", En: "Parts of the MultiPolygon overlap one another near longitude %s, latitude %s."},
		"geo.too_many_points":   {Zh: "边界的点数不能超过 %d 个。", En: "A boundary has at most %d points."},
	})
}
