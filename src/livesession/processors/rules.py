"""Where data may go and on which ground (GDPR art. 44-46; reference T-02): the EEA, the
countries with an adequacy decision, and the checks of each transfer mechanism."""

from __future__ import annotations

import re

from django_countries import countries

# EU member states plus Iceland, Liechtenstein and Norway.
EEA = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT",
    "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})
# Countries the European Commission has recognised as adequate (art. 45), with the
# decision to name. The United States is adequate only for companies certified under the
# EU-US Data Privacy Framework: that is its own mechanism here.
ADEQUATE = {
    "AD": "Decision 2010/625/EU", "AR": "Decision 2003/490/EC",
    "CA": "Decision 2002/2/EC (commercial organisations)", "FO": "Decision 2010/146/EU",
    "GG": "Decision 2003/821/EC", "IL": "Decision 2011/61/EU", "IM": "Decision 2004/411/EC",
    "JP": "Decision (EU) 2019/419", "JE": "Decision 2008/393/EC",
    "NZ": "Decision 2013/65/EU", "KR": "Decision (EU) 2022/254",
    "CH": "Decision 2000/518/EC", "GB": "Decision (EU) 2021/1772", "UY": "Decision 2012/484/EU",
}
DPF_COUNTRY = "US"
# A DPF certification is renewed every year: a check older than this is stale (T-02).
DPF_CHECK_MAX_DAYS = 365


def country_name(code: str) -> str:
    return str(dict(countries).get(code, code))


def country_code(text: str) -> str:
    """The ISO code for a code or an English/French country name such as "France (EU)";
    empty when unknown."""
    cleaned = re.sub(r"\(.*?\)", "", text).strip()
    if cleaned.upper() in dict(countries):
        return cleaned.upper()
    return str(countries.by_name(cleaned) or countries.by_name(cleaned, language="fr") or "")
