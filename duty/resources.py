from import_export import resources

from core.resources import PIIGuardResourceMixin

from .models import Place


class PlaceResource(PIIGuardResourceMixin, resources.ModelResource):
    class Meta:
        model = Place
        fields = ("id", "name", "kind", "district", "lat", "lon", "description", "active")
        import_id_fields = ("name",)
        skip_unchanged = True
        report_skipped = False
        clean_model_instances = True
