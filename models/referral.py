"""Referral (转介绍) campaigns: cards, referrals, the reward ledger, rejections, follow-ups and pushes.

Every table a retried request, a re-run or a re-import could write twice has a unique key that turns
the second write into a no-op or an IntegrityError the caller expects:
- a card is used by one friend (`Referral.card` unique) and a friend is referred once, ever
  (`Referral.referred` unique: first touch wins);
- a referrer's n-th successful referral of a campaign exists once (`campaign, referrer, position`);
- a ledger entry exists once per reason (`RewardEntry.key`: `bounty:<referral>`, `commission:<order_no>`);
- a push reaches a customer once (`PushRecipient` unique per push and customer).
Amounts are integer fen; rates are decimal strings ("0.025"), never floats.
"""

from tortoise import fields
from tortoise.models import Model


class Campaign(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=32, unique=True, description="slug used in URLs and the CLI")
    title = fields.CharField(max_length=64)
    starts_at = fields.DatetimeField()
    ends_at = fields.DatetimeField()
    tiers = fields.JSONField(description='{"bounties": [[from_nth, fen]], "rates": [[from_count, "0.02"]]}')
    max_cards = fields.IntField(default=5, description="cards one referrer may hold (seed: 5)")
    share_copy = fields.TextField(null=True, description="朋友圈文案; {link} is replaced by the share link")
    landing_text = fields.TextField(null=True)
    created_at = fields.DatetimeField()
    updated_at = fields.DatetimeField()

    class Meta:
        table = "referral_campaign"


class ReferralCard(Model):
    id = fields.IntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="cards")
    referrer = fields.ForeignKeyField("models.Customer", related_name="referral_cards")
    number = fields.IntField(description="1..max_cards within the referrer's cards of the campaign")
    code = fields.CharField(max_length=32, unique=True)
    opens = fields.IntField(default=0, description="landing page views")
    wechat_qr_url = fields.CharField(max_length=255, null=True, description="Official Account QR content")
    wechat_qr_expires_at = fields.DatetimeField(null=True)
    issued_at = fields.DatetimeField()

    class Meta:
        table = "referral_card"
        unique_together = (("campaign", "referrer", "number"),)


class Referral(Model):
    id = fields.IntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="referrals")
    card = fields.OneToOneField("models.ReferralCard", related_name="referral")
    referrer = fields.ForeignKeyField("models.Customer", related_name="referrals_made")
    referred = fields.OneToOneField("models.Customer", related_name="referred_by")
    status = fields.CharField(max_length=16, default="visited", description="visited, converted, rejected")
    first_visit_at = fields.DatetimeField()
    first_visit_channel = fields.CharField(max_length=16)
    converted_at = fields.DatetimeField(null=True)
    converted_by = fields.CharField(max_length=64, null=True, description="order:<no> or staff:<name>")
    position = fields.IntField(null=True, description="n-th successful referral of the referrer")

    class Meta:
        table = "referral"
        unique_together = (("campaign", "referrer", "position"),)


class RewardEntry(Model):
    id = fields.IntField(primary_key=True)
    key = fields.CharField(max_length=80, unique=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="rewards")
    referrer = fields.ForeignKeyField("models.Customer", related_name="referral_rewards")
    referral = fields.ForeignKeyField("models.Referral", related_name="rewards")
    kind = fields.CharField(max_length=16, description="bounty or commission")
    amount_fen = fields.BigIntField()
    base_fen = fields.BigIntField(null=True, description="commission: the purchase net of refunds")
    rate = fields.CharField(max_length=12, null=True, description="commission rate as a decimal string")
    order_no = fields.CharField(max_length=40, null=True)
    earned_on = fields.DateField(description="shop-local date the reward was earned")
    created_at = fields.DatetimeField()

    class Meta:
        table = "referral_reward"


class Rejection(Model):
    """An attribution or conversion the rules refused, kept so marketing can see attempted abuse."""

    id = fields.IntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="rejections", null=True)
    card = fields.ForeignKeyField("models.ReferralCard", related_name="rejections", null=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="referral_rejections", null=True)
    reason = fields.CharField(max_length=32)
    channel = fields.CharField(max_length=16, null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "referral_rejection"


class FollowUp(Model):
    """A staff task: call a referred friend who has not bought within 24 hours (seed: 24小时内)."""

    id = fields.IntField(primary_key=True)
    referral = fields.OneToOneField("models.Referral", related_name="follow_up")
    created_at = fields.DatetimeField()
    done_at = fields.DatetimeField(null=True)
    done_by = fields.CharField(max_length=64, null=True)
    note = fields.TextField(null=True)

    class Meta:
        table = "referral_follow_up"


class CustomerTag(Model):
    """A marketing tag on a customer, for pushing a campaign to a tagged segment."""

    id = fields.IntField(primary_key=True)
    customer = fields.ForeignKeyField("models.Customer", related_name="tags")
    tag = fields.CharField(max_length=32)

    class Meta:
        table = "customer_tag"
        unique_together = (("customer", "tag"),)


class Push(Model):
    """One push of a campaign to one segment; re-running the same push resumes it."""

    id = fields.IntField(primary_key=True)
    campaign = fields.ForeignKeyField("models.Campaign", related_name="pushes")
    segment = fields.CharField(max_length=96)
    created_at = fields.DatetimeField()
    finished_at = fields.DatetimeField(null=True)

    class Meta:
        table = "referral_push"
        unique_together = (("campaign", "segment"),)


class PushRecipient(Model):
    id = fields.IntField(primary_key=True)
    push = fields.ForeignKeyField("models.Push", related_name="recipients")
    customer = fields.ForeignKeyField("models.Customer", related_name="pushes_received")
    status = fields.CharField(max_length=16, default="pending",
                              description="pending, sending, sent, failed, skipped, interrupted")
    method = fields.CharField(max_length=16, null=True, description="kf, template, or the channel name")
    detail = fields.CharField(max_length=64, null=True, description="why it failed or was skipped")
    updated_at = fields.DatetimeField(null=True)

    class Meta:
        table = "referral_push_recipient"
        unique_together = (("push", "customer"),)
