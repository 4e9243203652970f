BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Get-MSCommerceAuditLog' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                id            = '42'
                policyId      = 'AllowSelfServicePurchase'
                scope         = 'product'
                targetId      = 'CFQ7TTC0H9MP'
                targetName    = 'Power BI Pro'
                oldValue      = 'Enabled'
                newValue      = 'Disabled'
                actorId       = '00000000-0000-0000-0000-000000000001'
                actorName     = 'admin@contoso.onmicrosoft.com'
                actorType     = 'User'
                correlationId = 'c0ffee00-0000-0000-0000-000000000000'
                changedAt     = '2026-11-25T06:30:00Z'
            }
        }
    }

    It 'Should read /v1.0/auditLogs/policyChanges following nextLink' {
        $null = Get-MSCommerceAuditLog
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and
            $Path -eq '/v1.0/auditLogs/policyChanges' -and
            $FollowNextLink -and
            $First -eq 0 -and
            $Query.Count -eq 0
        }
    }

    It 'Should return MSCommerce.AuditEntry objects with ChangedAt as a UTC DateTime' {
        $entry = Get-MSCommerceAuditLog
        $entry.PSObject.TypeNames | Should -Contain 'MSCommerce.AuditEntry'
        $entry.ChangedAt | Should -BeOfType [datetime]
        $entry.ChangedAt.Kind | Should -Be 'Utc'
        $entry.ChangedAt | Should -Be ([datetime]::new(2026, 11, 25, 6, 30, 0, [System.DateTimeKind]::Utc))
        $entry.TargetId | Should -Be 'CFQ7TTC0H9MP'
        $entry.ActorName | Should -Be 'admin@contoso.onmicrosoft.com'
        $entry.NewValue | Should -Be 'Disabled'
    }

    It 'Should ask for pages of -First entries and stop after -First' {
        $null = Get-MSCommerceAuditLog -First 20
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $First -eq 20 -and $Query.top -eq 20 }
    }

    It 'Should pass -Top as the page size' {
        $null = Get-MSCommerceAuditLog -Top 500 -First 2000
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $First -eq 2000 -and $Query.top -eq 500 }
    }

    It 'Should refuse -Top <Top> before any call' -ForEach @(@{ Top = 0 }, @{ Top = 1001 }) {
        { Get-MSCommerceAuditLog -Top $Top } | Should -Throw
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }
}

Describe 'ConvertTo-MSCommerceUtcDateTime' {
    It 'Should give the same UTC time for the string of Windows PowerShell and the DateTime of PowerShell 7' {
        InModuleScope -ModuleName 'MSCommerce' -ScriptBlock {
            $fromString = ConvertTo-MSCommerceUtcDateTime -Value '2026-11-25T06:30:00Z'
            $fromDate = ConvertTo-MSCommerceUtcDateTime -Value ([datetime]::new(2026, 11, 25, 6, 30, 0, [System.DateTimeKind]::Utc)).ToLocalTime()
            $fromString | Should -Be $fromDate
            $fromString.Kind | Should -Be 'Utc'
        }
    }
}

Describe 'Get-MSCommerceAuditLog -AllEvents' {
    BeforeEach {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                id            = '7'
                action        = 'UsersMoved'
                targetType    = 'Subscription'
                targetId      = '11111111-1111-1111-1111-111111111111'
                targetName    = 'Power BI Pro'
                oldValue      = $null
                newValue      = '22222222-2222-2222-2222-222222222222'
                actorId       = '00000000-0000-0000-0000-000000000001'
                actorName     = 'admin@contoso.onmicrosoft.com'
                actorType     = 'User'
                correlationId = 'c0ffee00-0000-0000-0000-000000000000'
                occurredAt    = '2026-11-25T06:30:00.000Z'
            }
        }
    }

    It 'Should read /v1.0/auditLogs/events following nextLink' {
        $null = Get-MSCommerceAuditLog -AllEvents
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/auditLogs/events' -and $FollowNextLink -and $First -eq 0 -and $Query.Count -eq 0
        }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Path -eq '/v1.0/auditLogs/policyChanges' }
    }

    It 'Should return MSCommerce.AuditEvent objects with OccurredAt as a UTC DateTime' {
        $auditEvent = Get-MSCommerceAuditLog -AllEvents
        $auditEvent.PSObject.TypeNames | Should -Contain 'MSCommerce.AuditEvent'
        $auditEvent.Action | Should -Be 'UsersMoved'
        $auditEvent.TargetType | Should -Be 'Subscription'
        $auditEvent.TargetName | Should -Be 'Power BI Pro'
        $auditEvent.NewValue | Should -Be '22222222-2222-2222-2222-222222222222'
        $auditEvent.ActorName | Should -Be 'admin@contoso.onmicrosoft.com'
        $auditEvent.OccurredAt | Should -BeOfType [datetime]
        $auditEvent.OccurredAt.Kind | Should -Be 'Utc'
        $auditEvent.OccurredAt | Should -Be ([datetime]::new(2026, 11, 25, 6, 30, 0, [System.DateTimeKind]::Utc))
    }

    It 'Should name the partner and the customer of what a partner did' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            [pscustomobject]@{
                id                 = '8'
                action             = 'PolicyValueChanged'
                targetType         = 'product'
                targetId           = 'CFQ7TTC0MM8R'
                targetName         = 'Microsoft 365 Copilot'
                actorId            = '00000000-0000-0000-0000-000000000001'
                actorName          = 'admin@contoso.onmicrosoft.com'
                actorType          = 'User'
                correlationId      = 'c0ffee00-0000-0000-0000-000000000001'
                occurredAt         = '2026-11-25T06:30:00.000Z'
                actorTenantId      = '33333333-3333-4333-8333-333333333333'
                onBehalfOfTenantId = '44444444-4444-4444-8444-444444444444'
            }
        }
        $auditEvent = Get-MSCommerceAuditLog -AllEvents
        $auditEvent.ActorTenantId | Should -Be '33333333-3333-4333-8333-333333333333'
        $auditEvent.OnBehalfOfTenantId | Should -Be '44444444-4444-4444-8444-444444444444'
    }

    It 'Should page and stop with -First and -Top as for policy changes' {
        $null = Get-MSCommerceAuditLog -AllEvents -First 20
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/auditLogs/events' -and $First -eq 20 -and $Query.top -eq 20
        }
        $null = Get-MSCommerceAuditLog -AllEvents -Top 500 -First 2000
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Path -eq '/v1.0/auditLogs/events' -and $First -eq 2000 -and $Query.top -eq 500
        }
    }

    It 'Should pass -Token through' {
        $null = Get-MSCommerceAuditLog -AllEvents -Token 'raw-jwt'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter { $Token -eq 'raw-jwt' }
    }

    It 'Should report a refusal with the service''s errorCode' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'Forbidden' -Category 'PermissionDenied')
        }
        $null = Get-MSCommerceAuditLog -AllEvents -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'Forbidden*'
        $failures[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
    }

    It 'Should keep -AllEvents an optional switch, so that calls without it read policy changes as before' {
        $parameter = (Get-Command -Name 'Get-MSCommerceAuditLog' -Module 'MSCommerce').Parameters['AllEvents']
        $parameter.SwitchParameter | Should -BeTrue
        $parameter.ParameterSets['__AllParameterSets'].IsMandatory | Should -BeFalse
    }
}
