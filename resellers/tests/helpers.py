"""Plain helpers of the MPN ID tests: a reseller's Partner Center standing as stored."""

from storefront.models import Reseller


def unchecked(reseller: Reseller) -> tuple:
    reseller.refresh_from_db()
    return (
        reseller.mpn_status,
        reseller.mpn_status_reason,
        reseller.mpn_checked_at,
        reseller.partner_center_tenant_id,
    )


UNCHECKED = (Reseller.MpnStatus.UNCHECKED, "", None, None)


def profile(reseller: Reseller) -> tuple:
    reseller.refresh_from_db()
    return (reseller.mpn_id, *unchecked(reseller))
