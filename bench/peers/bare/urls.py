from django.urls import path

from bare.views import bare

urlpatterns = [
    path("bench/bare/", bare),
    path("bench/bare-no-middleware/", bare),
]
