"""Customers, indirect resellers and the Microsoft Customer Agreement."""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class CustomerSummary:
    """A customer of the distributor (its tenant accepted the reseller relationship)."""

    id: str
    domain: str
    company_name: str
    relationship_to_partner: str
    associated_partner_id: str

    @classmethod
    def from_json(cls, data: dict) -> "CustomerSummary":
        profile = data.get("companyProfile") or {}
        return cls(
            id=data["id"],
            domain=profile.get("domain", ""),
            company_name=profile.get("companyName", ""),
            relationship_to_partner=data.get("relationshipToPartner", ""),
            associated_partner_id=data.get("associatedPartnerId") or "",
        )


@dataclass(frozen=True)
class IndirectReseller:
    """An item of GET /v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf."""

    tenant_id: str
    name: str
    mpn_id: str
    state: str
    location: str

    @property
    def is_active(self) -> bool:
        return self.state.lower() == "active"

    @classmethod
    def from_json(cls, data: dict) -> "IndirectReseller":
        return cls(
            tenant_id=data["id"],
            name=data.get("name", ""),
            mpn_id=str(data.get("mpnId") or ""),
            state=data.get("state", ""),
            location=data.get("location", ""),
        )


@dataclass(frozen=True)
class AgreementStatus:
    """The Microsoft Partner Agreement status of an indirect reseller's MPN ID."""

    mpn_id: str
    is_agreement_signed: bool
    tenant_id: str = ""  # when asked by the reseller's tenant id rather than its MPN ID


@dataclass(frozen=True)
class Address:
    first_name: str
    last_name: str
    address_line1: str
    city: str
    state: str
    postal_code: str
    phone_number: str = ""
    country: str = "IT"

    def to_json(self) -> dict:
        return {
            "FirstName": self.first_name,
            "LastName": self.last_name,
            "AddressLine1": self.address_line1,
            "City": self.city,
            "State": self.state,
            "PostalCode": self.postal_code,
            "Country": self.country,
            "PhoneNumber": self.phone_number,
        }


@dataclass(frozen=True)
class NewCustomer:
    """A new tenant created for an indirect reseller (AssociatedPartnerId = its tenant id)."""

    domain: str
    company_name: str
    email: str
    address: Address
    reseller_tenant_id: str
    culture: str = "it-IT"
    language: str = "it"

    def to_json(self) -> dict:
        return {
            "CompanyProfile": {"Domain": self.domain},
            "BillingProfile": {
                "Culture": self.culture,
                "Language": self.language,
                "Email": self.email,
                "CompanyName": self.company_name,
                "DefaultAddress": self.address.to_json(),
            },
            "AssociatedPartnerId": self.reseller_tenant_id,
        }


@dataclass(frozen=True)
class AdminCredentials:
    """The new tenant's administrator, returned once by Partner Center: never log it."""

    user_name: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class CreatedCustomer:
    id: str
    domain: str
    company_name: str
    associated_partner_id: str
    admin_credentials: AdminCredentials | None

    @property
    def admin_user_principal_name(self) -> str:
        """Partner Center answers "admin"; the sign-in name is admin@<domain>."""
        if self.admin_credentials is None:
            return ""
        user_name = self.admin_credentials.user_name
        return user_name if "@" in user_name else f"{user_name}@{self.domain}"

    @classmethod
    def from_json(cls, data: dict) -> "CreatedCustomer":
        credentials = data.get("userCredentials")
        return cls(
            id=data["id"],
            domain=data["companyProfile"]["domain"],
            company_name=(data.get("companyProfile") or {}).get("companyName", ""),
            associated_partner_id=data.get("associatedPartnerId") or "",
            admin_credentials=AdminCredentials(
                user_name=credentials["userName"], password=credentials["password"]
            )
            if credentials
            else None,
        )


# --- Microsoft Customer Agreement ---------------------------------------------------------------


@dataclass(frozen=True)
class AgreementTemplate:
    template_id: str
    agreement_type: str  # "MicrosoftCustomerAgreement", "MicrosoftCloudAgreement", ...
    agreement_link: str
    version_rank: int = 0

    @classmethod
    def from_json(cls, data: dict) -> "AgreementTemplate":
        return cls(
            template_id=data["templateId"],
            agreement_type=data.get("agreementType") or "",
            agreement_link=data.get("agreementLink") or "",
            version_rank=int(data.get("versionRank") or 0),
        )


@dataclass(frozen=True)
class AgreementContact:
    """The customer's person who accepted the Microsoft Customer Agreement."""

    first_name: str
    last_name: str
    email: str
    phone_number: str = ""

    def to_json(self) -> dict:
        return {
            "firstName": self.first_name,
            "lastName": self.last_name,
            "email": self.email,
            "phoneNumber": self.phone_number,
        }


@dataclass(frozen=True)
class CustomerAgreement:
    """The MCA acceptance; ``was_already_accepted`` when Partner Center answered 600061."""

    customer_id: str
    template_id: str
    was_already_accepted: bool
