package pii

import "grassroots/internal/platform/i18n"

func init() {
	i18n.Register(i18n.Catalog{
		"pii.id_length":     {Zh: "身份证号应为 18 位。", En: "An identity card number has 18 characters."},
		"pii.id_digits":     {Zh: "身份证号前 17 位应为数字。", En: "The first 17 characters of an identity card number are digits."},
		"pii.id_check":      {Zh: "身份证号校验位不正确，请核对。", En: "The check character of the identity card number is wrong; please check it."},
		"pii.id_birth":      {Zh: "身份证号中的出生日期无效。", En: "The birth date inside the identity card number is not a real date."},
		"pii.id_born_later": {Zh: "身份证号中的出生日期晚于今天。", En: "The birth date inside the identity card number is after today."},
		"pii.phone_length":  {Zh: "电话号码应为 7 到 15 位数字。", En: "A phone number has 7 to 15 digits."},
		// The audit log's words for a rotation of the key.
		"audit.action.pii.rotate_key": {Zh: "更换个人信息加密密钥", En: "Rotated the personal data key"},
		"audit.entity.pii_key":        {Zh: "加密密钥", En: "Encryption key"},
		"audit.field.values":          {Zh: "重新加密条数", En: "Values re-sealed"},
	})
}
