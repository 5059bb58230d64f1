from django.urls import path

from shopapp.staff import views

app_name = "staff"

urlpatterns = [
    path("staff/login/", views.StaffLoginView.as_view(), name="login"),
    path("staff/logout/", views.StaffLogoutView.as_view(), name="logout"),
    path("staff/password/", views.staff_only(views.StaffPasswordChangeView.as_view()), name="password"),
    path("staff/", views.stores, name="stores"),
    path("staff/stores/<int:shop_id>/", views.store, name="store"),
    path("staff/stores/<int:shop_id>/transaction-data", views.set_transaction_data, name="transaction_data"),
    path("staff/stores/<int:shop_id>/pause", views.set_paused, name="pause"),
    path("staff/stores/<int:shop_id>/bulk-road", views.bulk_road_on, name="bulk_road"),
    path("staff/stores/<int:shop_id>/retry", views.retry_failed, name="retry"),
    path("staff/stores/<int:shop_id>/orders/<int:record_id>/", views.order, name="order"),
    path("staff/stores/<int:shop_id>/shipments/<int:event_id>/resend", views.resend_shipment, name="resend_shipment"),
]
