"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-23
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import dentaldesk.db.types


revision: str = '0001'
down_revision: Union[str, None] = None
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('master_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('usual_fee', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('diagnostic', 'preventive', 'restorative', 'endodontics', 'periodontics', 'prosthodontics_removable', 'prosthodontics_fixed', 'implant', 'oral_surgery', 'orthodontics', 'adjunctive', name='category', native_enum=False, length=32), nullable=False),
    sa.Column('default_rtu', sa.Integer(), nullable=False),
    sa.Column('insurable', sa.Boolean(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.Column('requires_tooth', sa.Boolean(), nullable=False),
    sa.Column('requires_surface', sa.Boolean(), nullable=False),
    sa.Column('charts_graphic', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_master_code')),
    sa.UniqueConstraint('code', name=op.f('uq_master_code_code'))
    )
    op.create_table('office',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('tax_method', sa.Enum('none', 'pro_rata', 'non_pro_rata', name='taxmethod', native_enum=False, length=32), nullable=False),
    sa.Column('tax_rate', dentaldesk.db.types.Rate(), nullable=True),
    sa.Column('tooth_numbering', sa.Enum('universal', 'fdi', name='toothnumbering', native_enum=False, length=32), nullable=False),
    sa.Column('paper_size', sa.Enum('letter', 'a4', name='papersize', native_enum=False, length=32), nullable=False),
    sa.Column('handout_note', sa.Text(), nullable=False),
    sa.Column('estimate_valid_days', sa.Integer(), nullable=False),
    sa.Column('idle_lock_minutes', sa.Integer(), nullable=False),
    sa.Column('next_patient_number', sa.Integer(), nullable=False),
    sa.Column('next_account_number', sa.Integer(), nullable=False),
    sa.Column('next_claim_number', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_office')),
    sa.UniqueConstraint('office_code', name=op.f('uq_office_office_code'))
    )
    op.create_table('account',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('account_number', sa.String(length=16), nullable=False),
    sa.Column('guarantor_id', sa.Integer(), nullable=True),
    sa.Column('icm', sa.Integer(), nullable=False),
    sa.Column('fee_schedule', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_account_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account')),
    sa.UniqueConstraint('office_id', 'account_number', name=op.f('uq_account_office_id_account_number'))
    )
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_office_id'), ['office_id'], unique=False)

    op.create_table('dental_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('carrier', sa.String(length=120), nullable=False),
    sa.Column('group_number', sa.String(length=40), nullable=False),
    sa.Column('estimation_type', sa.Enum('percentage', 'ppo', 'flat_fee', 'dmo', name='estimationtype', native_enum=False, length=32), nullable=False),
    sa.Column('deductible', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('annual_max', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('default_copay', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_dental_plan_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dental_plan'))
    )
    with op.batch_alter_table('dental_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dental_plan_office_id'), ['office_id'], unique=False)

    op.create_table('fee_schedule',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=80), nullable=False),
    sa.CheckConstraint('number >= 0 AND number <= 26', name=op.f('ck_fee_schedule_number_range')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_fee_schedule_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_schedule')),
    sa.UniqueConstraint('office_id', 'number', name=op.f('uq_fee_schedule_office_id_number'))
    )
    op.create_table('procedure_code',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('custom', sa.Boolean(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('category', sa.Enum('diagnostic', 'preventive', 'restorative', 'endodontics', 'periodontics', 'prosthodontics_removable', 'prosthodontics_fixed', 'implant', 'oral_surgery', 'orthodontics', 'adjunctive', name='category', native_enum=False, length=32), nullable=False),
    sa.Column('default_rtu', sa.Integer(), nullable=False),
    sa.Column('insurable', sa.Boolean(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.Column('requires_tooth', sa.Boolean(), nullable=False),
    sa.Column('requires_surface', sa.Boolean(), nullable=False),
    sa.Column('charts_graphic', sa.Boolean(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_procedure_code_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_procedure_code')),
    sa.UniqueConstraint('office_id', 'code', name=op.f('uq_procedure_code_office_id_code'))
    )
    with op.batch_alter_table('procedure_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_code_office_id'), ['office_id'], unique=False)

    op.create_table('provider',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('short_name', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('color', sa.String(length=9), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_provider_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_provider'))
    )
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_provider_office_id'), ['office_id'], unique=False)

    op.create_table('app_user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('full_name', sa.String(length=120), nullable=False),
    sa.Column('role', sa.Enum('owner', 'admin', 'dentist', 'front_desk', name='role', native_enum=False, length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_app_user_office_id_office')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_app_user_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_app_user')),
    sa.UniqueConstraint('username', name=op.f('uq_app_user_username'))
    )
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_app_user_office_id'), ['office_id'], unique=False)

    op.create_table('bluebook_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dental_plan_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('plan_fee', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('copay', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('insurance_pays', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('write_off', dentaldesk.db.types.Money(), nullable=True),
    sa.ForeignKeyConstraint(['dental_plan_id'], ['dental_plan.id'], name=op.f('fk_bluebook_entry_dental_plan_id_dental_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bluebook_entry')),
    sa.UniqueConstraint('dental_plan_id', 'code', name=op.f('uq_bluebook_entry_dental_plan_id_code'))
    )
    op.create_table('fee_schedule_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('fee_schedule_id', sa.Integer(), nullable=False),
    sa.Column('procedure_code_id', sa.Integer(), nullable=False),
    sa.Column('fee', dentaldesk.db.types.Money(), nullable=False),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_fee_schedule_entry_fee_not_negative')),
    sa.ForeignKeyConstraint(['fee_schedule_id'], ['fee_schedule.id'], name=op.f('fk_fee_schedule_entry_fee_schedule_id_fee_schedule')),
    sa.ForeignKeyConstraint(['procedure_code_id'], ['procedure_code.id'], name=op.f('fk_fee_schedule_entry_procedure_code_id_procedure_code')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fee_schedule_entry')),
    sa.UniqueConstraint('fee_schedule_id', 'procedure_code_id', name=op.f('uq_fee_schedule_entry_fee_schedule_id_procedure_code_id'))
    )
    with op.batch_alter_table('fee_schedule_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_fee_schedule_entry_procedure_code_id'), ['procedure_code_id'], unique=False)

    op.create_table('patient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('patient_number', sa.String(length=16).with_variant(sa.String(length=16, collation='C'), 'postgresql'), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('first_name', sa.String(length=80), nullable=False),
    sa.Column('last_name', sa.String(length=80), nullable=False),
    sa.Column('first_name_key', sa.String(length=80).with_variant(sa.String(length=80, collation='C'), 'postgresql'), nullable=False),
    sa.Column('last_name_key', sa.String(length=80).with_variant(sa.String(length=80, collation='C'), 'postgresql'), nullable=False),
    sa.Column('birth_date', sa.Date(), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('email', sa.String(length=120), nullable=False),
    sa.Column('address', sa.String(length=240), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_patient_account_id_account')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_patient_office_id_office')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    sa.UniqueConstraint('office_id', 'patient_number', name=op.f('uq_patient_office_id_patient_number'))
    )
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_patient_account_id'), ['account_id'], unique=False)
        batch_op.create_index('ix_patient_birth_date', ['office_id', 'birth_date'], unique=False)
        batch_op.create_index('ix_patient_first_key', ['office_id', 'first_name_key'], unique=False)
        batch_op.create_index('ix_patient_last_key', ['office_id', 'last_name_key', 'first_name_key'], unique=False)

    # account.guarantor_id and patient.account_id point at each other: add this one last.
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.create_foreign_key(batch_op.f('fk_account_guarantor_id_patient'), 'patient', ['guarantor_id'], ['id'])


    op.create_table('plan_category',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dental_plan_id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('diagnostic', 'preventive', 'restorative', 'endodontics', 'periodontics', 'prosthodontics_removable', 'prosthodontics_fixed', 'implant', 'oral_surgery', 'orthodontics', 'adjunctive', name='category', native_enum=False, length=32), nullable=False),
    sa.Column('coverage_percent', sa.Integer(), nullable=False),
    sa.Column('deductible_applies', sa.Boolean(), nullable=False),
    sa.CheckConstraint('coverage_percent >= 0 AND coverage_percent <= 100', name=op.f('ck_plan_category_percent_range')),
    sa.ForeignKeyConstraint(['dental_plan_id'], ['dental_plan.id'], name=op.f('fk_plan_category_dental_plan_id_dental_plan')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_category')),
    sa.UniqueConstraint('dental_plan_id', 'category', name=op.f('uq_plan_category_dental_plan_id_category'))
    )
    op.create_table('audit_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('workstation', sa.String(length=120), nullable=False),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('entity', sa.String(length=64), nullable=False),
    sa.Column('entity_id', sa.Integer(), nullable=True),
    sa.Column('before', sa.Text(), nullable=True),
    sa.Column('after', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_audit_event_office_id_office')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_audit_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_event'))
    )
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.create_index('ix_audit_event_entity', ['entity', 'entity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_event_office_id'), ['office_id'], unique=False)

    op.create_table('coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('dental_plan_id', sa.Integer(), nullable=False),
    sa.Column('rank', sa.Enum('primary', 'secondary', name='coveragerank', native_enum=False, length=32), nullable=False),
    sa.Column('subscriber_name', sa.String(length=160), nullable=False),
    sa.Column('subscriber_id', sa.String(length=40), nullable=False),
    sa.Column('benefit_year', sa.Integer(), nullable=False),
    sa.Column('benefits_used', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('deductible_met', dentaldesk.db.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['dental_plan_id'], ['dental_plan.id'], name=op.f('fk_coverage_dental_plan_id_dental_plan')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_coverage_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_coverage')),
    sa.UniqueConstraint('patient_id', 'rank', name=op.f('uq_coverage_patient_id_rank'))
    )
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coverage_dental_plan_id'), ['dental_plan_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coverage_patient_id'), ['patient_id'], unique=False)

    op.create_table('treatment_plan',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=160), nullable=False),
    sa.Column('status', sa.Enum('draft', 'approved', 'completed', 'cancelled', name='planstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('approved_total', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('cancel_reason', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_treatment_plan_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_treatment_plan_office_id_office')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_treatment_plan_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_treatment_plan'))
    )
    with op.batch_alter_table('treatment_plan', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_treatment_plan_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_treatment_plan_status'), ['status'], unique=False)

    op.create_table('claim',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('coverage_id', sa.Integer(), nullable=False),
    sa.Column('claim_number', sa.String(length=20), nullable=False),
    sa.Column('status', sa.Enum('open', 'complete', name='claimstatus', native_enum=False, length=32), nullable=False),
    sa.Column('created_on', sa.Date(), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_claim_account_id_account')),
    sa.ForeignKeyConstraint(['coverage_id'], ['coverage.id'], name=op.f('fk_claim_coverage_id_coverage')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_claim_office_id_office')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_claim_patient_id_patient')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim')),
    sa.UniqueConstraint('office_id', 'claim_number', name=op.f('uq_claim_office_id_claim_number'))
    )
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_account_id'), ['account_id'], unique=False)

    op.create_table('plan_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('approver_name', sa.String(length=160), nullable=False),
    sa.Column('method', sa.Enum('signed_at_desk', 'on_paper', 'by_mail', 'digital', name='approvalmethod', native_enum=False, length=32), nullable=False),
    sa.Column('approved_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('total', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('lines_json', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('signature_png', sa.LargeBinary(), nullable=True),
    sa.ForeignKeyConstraint(['plan_id'], ['treatment_plan.id'], name=op.f('fk_plan_approval_plan_id_treatment_plan')),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['app_user.id'], name=op.f('fk_plan_approval_recorded_by_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_approval'))
    )
    with op.batch_alter_table('plan_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_approval_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['treatment_plan.id'], name=op.f('fk_plan_event_plan_id_treatment_plan')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_plan_event_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_event'))
    )
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_event_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('procedure_code_id', sa.Integer(), nullable=False),
    sa.Column('tooth', sa.String(length=4), nullable=True),
    sa.Column('surfaces', sa.String(length=7), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('fee', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('schedule_fee', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('fee_source', sa.String(length=120), nullable=False),
    sa.Column('rtu', sa.Integer(), nullable=False),
    sa.Column('visit', sa.Integer(), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('planned', 'completed', name='itemstatus', native_enum=False, length=32), nullable=False),
    sa.Column('completed_on', sa.Date(), nullable=True),
    sa.Column('approved_fee', dentaldesk.db.types.Money(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('fee >= 0', name=op.f('ck_plan_item_fee_not_negative')),
    sa.CheckConstraint('rtu >= 0', name=op.f('ck_plan_item_rtu_not_negative')),
    sa.ForeignKeyConstraint(['plan_id'], ['treatment_plan.id'], name=op.f('fk_plan_item_plan_id_treatment_plan')),
    sa.ForeignKeyConstraint(['procedure_code_id'], ['procedure_code.id'], name=op.f('fk_plan_item_procedure_code_id_procedure_code')),
    sa.ForeignKeyConstraint(['provider_id'], ['provider.id'], name=op.f('fk_plan_item_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_item'))
    )
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_item_plan_id'), ['plan_id'], unique=False)

    op.create_table('plan_status_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.Enum('draft', 'approved', 'completed', 'cancelled', name='planstatus', native_enum=False, length=32), nullable=True),
    sa.Column('to_status', sa.Enum('draft', 'approved', 'completed', 'cancelled', name='planstatus', native_enum=False, length=32), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['treatment_plan.id'], name=op.f('fk_plan_status_change_plan_id_treatment_plan')),
    sa.ForeignKeyConstraint(['user_id'], ['app_user.id'], name=op.f('fk_plan_status_change_user_id_app_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_status_change'))
    )
    with op.batch_alter_table('plan_status_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_status_change_plan_id'), ['plan_id'], unique=False)

    op.create_table('item_prerequisite',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('prerequisite_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['plan_item.id'], name=op.f('fk_item_prerequisite_item_id_plan_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prerequisite_id'], ['plan_item.id'], name=op.f('fk_item_prerequisite_prerequisite_id_plan_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_prerequisite')),
    sa.UniqueConstraint('item_id', 'prerequisite_id', name=op.f('uq_item_prerequisite_item_id_prerequisite_id'))
    )
    with op.batch_alter_table('item_prerequisite', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_item_prerequisite_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_item_prerequisite_prerequisite_id'), ['prerequisite_id'], unique=False)

    op.create_table('ledger_transaction',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('charge', 'payment', 'insurance_payment', 'adjustment', name='transactionkind', native_enum=False, length=32), nullable=False),
    sa.Column('procedure_code_id', sa.Integer(), nullable=True),
    sa.Column('tooth', sa.String(length=4), nullable=True),
    sa.Column('surfaces', sa.String(length=7), nullable=False),
    sa.Column('description', sa.String(length=200), nullable=False),
    sa.Column('dos', sa.Date(), nullable=False),
    sa.Column('aged_date', sa.Date(), nullable=True),
    sa.Column('amount', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('tax', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('held_amount', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('taxable', sa.Boolean(), nullable=False),
    sa.Column('insurable', sa.Boolean(), nullable=False),
    sa.Column('rtu', sa.Integer(), nullable=False),
    sa.Column('production_provider_id', sa.Integer(), nullable=True),
    sa.Column('collection_provider_id', sa.Integer(), nullable=True),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('claim_id', sa.Integer(), nullable=True),
    sa.Column('estimated_insurance', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('posted_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('posted_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_ledger_transaction_amount_not_negative')),
    sa.CheckConstraint('tax >= 0', name=op.f('ck_ledger_transaction_tax_not_negative')),
    sa.ForeignKeyConstraint(['account_id'], ['account.id'], name=op.f('fk_ledger_transaction_account_id_account')),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_ledger_transaction_claim_id_claim')),
    sa.ForeignKeyConstraint(['collection_provider_id'], ['provider.id'], name=op.f('fk_ledger_transaction_collection_provider_id_provider')),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], name=op.f('fk_ledger_transaction_office_id_office')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_ledger_transaction_patient_id_patient')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_item.id'], name=op.f('fk_ledger_transaction_plan_item_id_plan_item')),
    sa.ForeignKeyConstraint(['posted_by_id'], ['app_user.id'], name=op.f('fk_ledger_transaction_posted_by_id_app_user')),
    sa.ForeignKeyConstraint(['procedure_code_id'], ['procedure_code.id'], name=op.f('fk_ledger_transaction_procedure_code_id_procedure_code')),
    sa.ForeignKeyConstraint(['production_provider_id'], ['provider.id'], name=op.f('fk_ledger_transaction_production_provider_id_provider')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ledger_transaction'))
    )
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.create_index('ix_ledger_account_dos', ['account_id', 'dos'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_claim_id'), ['claim_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_patient_id'), ['patient_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_ledger_transaction_plan_item_id'), ['plan_item_id'], unique=False)

    op.create_table('chart_graphic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('patient_id', sa.Integer(), nullable=False),
    sa.Column('procedure_code_id', sa.Integer(), nullable=False),
    sa.Column('tooth', sa.String(length=4), nullable=True),
    sa.Column('surfaces', sa.String(length=7), nullable=False),
    sa.Column('status', sa.Enum('planned', 'completed', 'existing', name='graphicstatus', native_enum=False, length=32), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=True),
    sa.Column('plan_item_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('removed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('removed_by_id', sa.Integer(), nullable=True),
    sa.Column('removal_reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['app_user.id'], name=op.f('fk_chart_graphic_created_by_id_app_user')),
    sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_chart_graphic_patient_id_patient')),
    sa.ForeignKeyConstraint(['plan_item_id'], ['plan_item.id'], name=op.f('fk_chart_graphic_plan_item_id_plan_item')),
    sa.ForeignKeyConstraint(['procedure_code_id'], ['procedure_code.id'], name=op.f('fk_chart_graphic_procedure_code_id_procedure_code')),
    sa.ForeignKeyConstraint(['removed_by_id'], ['app_user.id'], name=op.f('fk_chart_graphic_removed_by_id_app_user')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transaction.id'], name=op.f('fk_chart_graphic_transaction_id_ledger_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_chart_graphic'))
    )
    with op.batch_alter_table('chart_graphic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_chart_graphic_patient_id'), ['patient_id'], unique=False)

    op.create_table('claim_line',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('claim_id', sa.Integer(), nullable=False),
    sa.Column('transaction_id', sa.Integer(), nullable=False),
    sa.Column('estimated', dentaldesk.db.types.Money(), nullable=False),
    sa.Column('paid', dentaldesk.db.types.Money(), nullable=False),
    sa.ForeignKeyConstraint(['claim_id'], ['claim.id'], name=op.f('fk_claim_line_claim_id_claim')),
    sa.ForeignKeyConstraint(['transaction_id'], ['ledger_transaction.id'], name=op.f('fk_claim_line_transaction_id_ledger_transaction')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_claim_line')),
    sa.UniqueConstraint('claim_id', 'transaction_id', name=op.f('uq_claim_line_claim_id_transaction_id'))
    )
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_claim_line_transaction_id'), ['transaction_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_account_guarantor_id_patient'), type_='foreignkey')
    with op.batch_alter_table('claim_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_line_transaction_id'))

    op.drop_table('claim_line')
    with op.batch_alter_table('chart_graphic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_chart_graphic_patient_id'))

    op.drop_table('chart_graphic')
    with op.batch_alter_table('ledger_transaction', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_plan_item_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_patient_id'))
        batch_op.drop_index(batch_op.f('ix_ledger_transaction_claim_id'))
        batch_op.drop_index('ix_ledger_account_dos')

    op.drop_table('ledger_transaction')
    with op.batch_alter_table('item_prerequisite', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_item_prerequisite_prerequisite_id'))
        batch_op.drop_index(batch_op.f('ix_item_prerequisite_item_id'))

    op.drop_table('item_prerequisite')
    with op.batch_alter_table('plan_status_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_status_change_plan_id'))

    op.drop_table('plan_status_change')
    with op.batch_alter_table('plan_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_item_plan_id'))

    op.drop_table('plan_item')
    with op.batch_alter_table('plan_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_event_plan_id'))

    op.drop_table('plan_event')
    with op.batch_alter_table('plan_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_approval_plan_id'))

    op.drop_table('plan_approval')
    with op.batch_alter_table('claim', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_claim_account_id'))

    op.drop_table('claim')
    with op.batch_alter_table('treatment_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_treatment_plan_status'))
        batch_op.drop_index(batch_op.f('ix_treatment_plan_patient_id'))

    op.drop_table('treatment_plan')
    with op.batch_alter_table('coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coverage_patient_id'))
        batch_op.drop_index(batch_op.f('ix_coverage_dental_plan_id'))

    op.drop_table('coverage')
    with op.batch_alter_table('audit_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_event_office_id'))
        batch_op.drop_index('ix_audit_event_entity')

    op.drop_table('audit_event')
    op.drop_table('plan_category')
    with op.batch_alter_table('patient', schema=None) as batch_op:
        batch_op.drop_index('ix_patient_last_key')
        batch_op.drop_index('ix_patient_first_key')
        batch_op.drop_index('ix_patient_birth_date')
        batch_op.drop_index(batch_op.f('ix_patient_account_id'))

    op.drop_table('patient')
    with op.batch_alter_table('fee_schedule_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_fee_schedule_entry_procedure_code_id'))

    op.drop_table('fee_schedule_entry')
    op.drop_table('bluebook_entry')
    with op.batch_alter_table('app_user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_app_user_office_id'))

    op.drop_table('app_user')
    with op.batch_alter_table('provider', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_provider_office_id'))

    op.drop_table('provider')
    with op.batch_alter_table('procedure_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_code_office_id'))

    op.drop_table('procedure_code')
    op.drop_table('fee_schedule')
    with op.batch_alter_table('dental_plan', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dental_plan_office_id'))

    op.drop_table('dental_plan')
    with op.batch_alter_table('account', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_office_id'))

    op.drop_table('account')
    op.drop_table('office')
    op.drop_table('master_code')
