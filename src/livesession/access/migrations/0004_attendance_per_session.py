# Issue 4 §4: attendance becomes one row per registration and session (it was one row per
# join), with presence, accesses and devices. Nothing was deployed with the old shape, so
# the table is made again rather than converted.

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('access', '0003_roomsettings'),
        ('core', '0001_initial'),
        ('events', '0001_initial'),
        ('registrations', '0001_initial'),
    ]

    operations = [
        migrations.DeleteModel(name='Attendance'),
        migrations.CreateModel(
            name='Attendance',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('session_key', models.PositiveBigIntegerField(default=0)),
                ('first_access_at', models.DateTimeField()),
                ('last_seen_at', models.DateTimeField()),
                ('seconds_present', models.PositiveIntegerField(default=0)),
                ('presence_measured', models.BooleanField(default=False)),
                ('accesses', models.PositiveIntegerField(default=1)),
                ('last_device', models.CharField(blank=True, default='', max_length=64)),
                ('concurrent_uses', models.PositiveIntegerField(default=0)),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.client')),
                ('event', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.event')),
                ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='attendances', to='registrations.registration')),
                ('session', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='events.session')),
            ],
            options={
                'verbose_name': 'attendance',
                'indexes': [models.Index(fields=['client', 'event', 'session_key'], name='access_atte_client__cf9b3d_idx')],
                'constraints': [models.UniqueConstraint(fields=('registration', 'session_key'), name='attendance_one_per_session')],
            },
        ),
        migrations.CreateModel(
            name='AttendanceDevice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('session_key', models.PositiveBigIntegerField(default=0)),
                ('device_hash', models.CharField(max_length=64)),
                ('first_seen_at', models.DateTimeField()),
                ('last_seen_at', models.DateTimeField()),
                ('client', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='core.client')),
                ('registration', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='registrations.registration')),
            ],
            options={
                'verbose_name': 'attendance device',
                'constraints': [models.UniqueConstraint(fields=('registration', 'session_key', 'device_hash'), name='attendance_device_once')],
            },
        ),
    ]
