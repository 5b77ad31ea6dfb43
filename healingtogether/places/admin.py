from django.contrib import admin

from .models import Arrondissement, Municipality, PostalCode, Province, Region


class PlaceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_nl", "name_fr", "name_de"]
    search_fields = ["code", "name_nl", "name_fr", "name_de"]


admin.site.register(Region, PlaceAdmin)


@admin.register(Province)
class ProvinceAdmin(PlaceAdmin):
    list_filter = ["region"]


@admin.register(Arrondissement)
class ArrondissementAdmin(PlaceAdmin):
    list_filter = ["region", "province"]


@admin.register(Municipality)
class MunicipalityAdmin(PlaceAdmin):
    list_display = [
        "code",
        "name_nl",
        "name_fr",
        "name_de",
        "arrondissement",
        "latitude",
        "longitude",
    ]
    list_filter = ["region", "province"]


@admin.register(PostalCode)
class PostalCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "latitude", "longitude"]
    search_fields = ["code", "municipalities__name_nl", "municipalities__name_fr"]
    filter_horizontal = ["municipalities"]
