BeforeAll {
    Import-Module -Name (Join-Path -Path $PSScriptRoot -ChildPath '../MSCommerce.TestHelper.psm1') -Force
    Import-MSCommerceTestModule
}

AfterAll {
    Get-Module -Name 'MSCommerce', 'MSCommerce.TestHelper' | Remove-Module -Force
}

Describe 'Set-MSCommerceLicenseRequestSetting' {
    BeforeEach {
        # The current settings, then the answer to the PUT: what was sent.
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'GET' } -MockWith {
            [pscustomobject]@{ useOrganizationProcess = $true; message = 'Ask the service desk.'; link = 'https://servicedesk.contoso.com/software' }
        }
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PUT' } -MockWith {
            [pscustomobject]$Body
        }
    }

    It 'Should send all three values given, without reading first' {
        $splatSet = @{
            UseOrganizationProcess = $true
            Message                = 'Use the form.'
            Link                   = 'https://forms.contoso.com/licenses'
            Confirm                = $false
        }
        $settings = Set-MSCommerceLicenseRequestSetting @splatSet
        $settings.PSObject.TypeNames | Should -Contain 'MSCommerce.LicenseRequestSetting'
        $settings.Link | Should -Be 'https://forms.contoso.com/licenses'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly -ParameterFilter { $Method -eq 'GET' }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PUT' -and $Path -eq '/v1.0/licenseRequestSettings' -and $Body.useOrganizationProcess -eq $true -and
            $Body.message -eq 'Use the form.' -and $Body.link -eq 'https://forms.contoso.com/licenses'
        }
    }

    It 'Should keep what is not given as it was: it reads the settings first' {
        $settings = Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -Confirm:$false
        $settings.UseOrganizationProcess | Should -BeFalse
        $settings.Message | Should -Be 'Ask the service desk.'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'GET' -and $Path -eq '/v1.0/licenseRequestSettings'
        }
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PUT' -and $Body.useOrganizationProcess -eq $false -and $Body.message -eq 'Ask the service desk.' -and
            $Body.link -eq 'https://servicedesk.contoso.com/software'
        }
    }

    It 'Should clear the message and the link given as empty strings (sent as null)' {
        $null = Set-MSCommerceLicenseRequestSetting -Message '' -Link '' -Confirm:$false
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 1 -Exactly -ParameterFilter {
            $Method -eq 'PUT' -and $Body.ContainsKey('message') -and $null -eq $Body.message -and
            $Body.ContainsKey('link') -and $null -eq $Body.link -and $Body.useOrganizationProcess -eq $true
        }
    }

    It 'Should refuse a call without a change before any call (NothingToChange)' {
        { Set-MSCommerceLicenseRequestSetting -Confirm:$false } | Should -Throw -ErrorId 'NothingToChange*'
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should send nothing, not even the read, with -WhatIf' {
        Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -WhatIf
        Should -Invoke -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -Times 0 -Exactly
    }

    It 'Should stop with the service''s refusal and change nothing else' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PUT' } -MockWith {
            throw (New-MSCommerceTestErrorRecord -ErrorCode 'Forbidden' -Category 'PermissionDenied')
        }
        { Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -Confirm:$false } | Should -Throw -ErrorId 'Forbidden*'
    }

    It 'Should return what was sent when the service answers without a body' {
        Mock -ModuleName 'MSCommerce' -CommandName 'Invoke-MSCommerceRestMethod' -ParameterFilter { $Method -eq 'PUT' } -MockWith { $null }
        $settings = Set-MSCommerceLicenseRequestSetting -UseOrganizationProcess $false -Message 'Here again.' -Link '' -Confirm:$false
        $settings.UseOrganizationProcess | Should -BeFalse
        $settings.Message | Should -Be 'Here again.'
        $null -eq $settings.Link | Should -BeTrue
    }
}
