"""Reads of the shell's own records (shopapp/models.py) for the merchant's pages: customers' data
requests to hand over, and the last change of a setting. Every one scoped to one shop."""

from shopapp.models import DataRequest, SettingChange, TransactionDataRequest

DATA_REQUESTS_SHOWN = 20


def data_requests_to_hand_over(*, shop_id: int) -> list[DataRequest]:
    return list(DataRequest.objects.filter(shop_id=shop_id, export__isnull=False)[:DATA_REQUESTS_SHOWN])


def data_request_of(*, shop_id: int, request_id: int) -> DataRequest | None:
    return DataRequest.objects.filter(shop_id=shop_id, id=request_id).first()


def last_setting_change(*, shop_id: int, setting: str) -> SettingChange | None:
    return SettingChange.objects.filter(shop_id=shop_id, setting=setting).order_by("-changed_at").first()


def open_transaction_data_request(*, shop_id: int) -> TransactionDataRequest | None:
    return TransactionDataRequest.objects.filter(shop_id=shop_id, closed_at__isnull=True).first()


def open_transaction_data_requests(*, shop_id: int) -> list[TransactionDataRequest]:
    return list(TransactionDataRequest.objects.filter(shop_id=shop_id, closed_at__isnull=True))
